// Browser tests against a running dangwu server with the demo enterprise loaded.
//   BASE_URL=http://127.0.0.1:18080 DEMO_PASSWORD=… node e2e/run.mjs
// Uses the system Chromium through playwright-core (no browser download). Each test runs in a fresh
// profile; screenshots go to web/test-results/. A page that logs an error fails its test (see withPage).
// Ends with "N passed, M failed"; exits 1 on any failure.
import { chromium } from 'playwright-core'
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inflateRawSync } from 'node:zlib'

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
const PASSWORD = process.env.DEMO_PASSWORD || ''
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results')
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 20000)

let passed = 0
let failed = 0

// ---------------------------------------------------------------- API side (plain fetch, own cookies)

/** Logs in through the API and returns a tiny client bound to that session. */
async function apiSession(username) {
  const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  if (!res.ok) throw new Error(`API login as ${username} failed: ${res.status} ${await res.text()}`)
  const me = await res.json()
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  async function get(path) {
    const r = await fetch(`${BASE_URL}/api/v1/${path}`, { headers: { Cookie: cookie, Accept: 'application/json' } })
    if (!r.ok) throw new Error(`GET ${path} as ${username}: ${r.status} ${await r.text()}`)
    return r.json()
  }
  async function send(method, path, body) {
    const r = await fetch(`${BASE_URL}/api/v1/${path}`, {
      method,
      headers: { Cookie: cookie, Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      body: JSON.stringify(body),
    })
    if (!r.ok) throw new Error(`${method} ${path} as ${username}: ${r.status} ${await r.text()}`)
    return r.json()
  }
  /** Any call, refusals included: answers the status and the parsed body instead of throwing. */
  async function call(method, path, body) {
    return apiCall(cookie, method, path, body, me.csrf_token)
  }
  return { me, get, send, call }
}

async function apiCall(cookie, method, path, body, csrf) {
  const headers = { Cookie: cookie, Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (csrf) headers['X-CSRF-Token'] = csrf
  const r = await fetch(`${BASE_URL}/api/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  let parsed = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  return { status: r.status, body: parsed }
}

// ---------------------------------------------------------------- browser side

// The browser logs every 4xx answer as "Failed to load resource"; the API's refusals (401 before login,
// 403 and 404 where a test goes where it may not) are answers the app handles, not page errors.
const HANDLED_REFUSAL = /^console: Failed to load resource: the server responded with a status of 4\d\d .* at https?:\/\/[^/]+\/api\//

/**
 * Runs `fn` on a fresh page. Any error the page logs (uncaught exceptions, console.error, CSP
 * violations, failed loads other than handled API refusals) fails the test, unless `allowConsole`
 * names it as expected.
 */
async function withPage(fn, { viewport = { width: 1366, height: 900 }, mobile = false, allowConsole = [] } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'dangwu-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    deviceScaleFactor: mobile ? 2 : 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale: 'zh-CN',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(TIMEOUT)
  const problems = []
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} at ${m.location().url || '?'}`)
  })
  try {
    await fn(page)
    // Late messages of the last action still count.
    await page.waitForTimeout(100)
    const unexpected = problems.filter((p) => !HANDLED_REFUSAL.test(p) && !allowConsole.some((r) => r.test(p)))
    if (unexpected.length) throw new Error(`the page logged errors:\n      ${unexpected.slice(0, 8).join('\n      ')}`)
  } catch (e) {
    await shot(page, `failure-${Date.now()}`).catch(() => undefined)
    if (problems.length) e.message += `\n    browser said:\n      ${problems.slice(-8).join('\n      ')}`
    e.message += `\n    at URL ${page.url()}`
    throw e
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
}

async function shot(page, name) {
  await mkdir(OUT, { recursive: true })
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false })
}

/** Fills and sends the login form; where the app goes next is up to the caller. */
async function submitLogin(page, username, password = PASSWORD) {
  await page.goto(`${BASE_URL}/login`)
  await page.getByPlaceholder('用户名', { exact: true }).fill(username)
  await page.getByPlaceholder('密码', { exact: true }).fill(password)
  await page.locator('[data-test=login-submit]').click()
}

async function uiLogin(page, username, password = PASSWORD) {
  await submitLogin(page, username, password)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.locator('[data-test=user-menu]').waitFor()
}

/** Logs in as `username` and opens `item` of the menu, which shows `url`. */
async function openFromMenu(page, username, item, url) {
  await uiLogin(page, username)
  await page.locator('.el-menu-item', { hasText: item }).first().click()
  await page.waitForURL(url)
}

/** As sec_b, opens the meeting form of the organization and fills in a meeting of `kind` held on `heldOn`. */
async function newHeldMeeting(page, orgId, kind, heldOn, topic) {
  await uiLogin(page, 'sec_b')
  await page.goto(`${BASE_URL}/meetings?org=${orgId}`)
  await page.locator('[data-test=meeting-add]').click()
  await page.locator('[data-test=meeting-form]').waitFor()
  await choose(page, 'mf-kind', kind)
  const held = inputOf(page, 'mf-held-on')
  await held.click()
  await held.fill(heldOn)
  await held.press('Enter')
  // Closes the date picker.
  await page.locator('.el-dialog__title').first().click()
  await inputOf(page, 'mf-topic').fill(topic)
}

/** Logs in with a one-time password and reads the login page's notice of who reset it. */
async function resetNotice(page, username, oneTime) {
  await submitLogin(page, username, oneTime)
  const notice = page.locator('[data-test=reset-notice]')
  await notice.waitFor()
  return notice.innerText()
}

/**
 * The first of the secretaries sec_<letter> in whose organization's calendar (GET …/compliance) `pick`
 * finds something: who, their organization, that calendar and what was picked (null when none has it).
 */
async function firstSecretaryWith(letters, pick) {
  let cal = null
  for (const letter of letters) {
    const s = await apiSession(`sec_${letter}`)
    const orgId = s.me.grants.find((g) => g.role === 'secretary')?.organization_id
    assert(orgId, `sec_${letter} has no secretary grant`)
    cal = await s.get(`organizations/${orgId}/compliance`)
    const picked = pick(cal)
    if (picked) return { secretary: `sec_${letter}`, orgId, cal, picked }
  }
  return { secretary: null, orgId: null, cal, picked: null }
}

async function uiLogout(page) {
  await page.locator('[data-test=user-menu]').click()
  await page.locator('[data-test=logout]').click()
  await page.waitForURL(/\/login/)
  await page.getByPlaceholder('用户名', { exact: true }).waitFor()
}

/** The session cookie of the page, for checking what the server answers that session. */
async function pageCookie(page) {
  return (await page.context().cookies(BASE_URL)).map((c) => `${c.name}=${c.value}`).join('; ')
}

/** The row of one account in the user list of 用户管理. */
function userRow(page, username) {
  return page
    .locator('.users .table-scroll .el-table__body-wrapper tr.el-table__row')
    .filter({ has: page.locator('td').first().getByText(username, { exact: true }) })
    .first()
}

/** The row of one account among the password resets waiting for approval. */
function pendingRow(page, username) {
  return page.locator('[data-test=pending-resets] .el-table__body-wrapper tr.el-table__row', { hasText: `（${username}）` }).first()
}

/** The message box on screen (prompt, confirm or alert), optionally the one with this text. */
function messageBox(page, text) {
  const box = page.locator('.el-message-box')
  return text ? box.filter({ hasText: text }) : box
}

/** Fills the one-time and the new password on the login page's forced change form and sends it. */
async function setNewPassword(page, oneTime, chosen) {
  const old = page.getByPlaceholder('一次性密码', { exact: true })
  if (!(await old.inputValue())) await old.fill(oneTime)
  await page.getByPlaceholder('新密码', { exact: true }).fill(chosen)
  await page.getByPlaceholder('确认新密码', { exact: true }).fill(chosen)
  await page.locator('[data-test=change-submit]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.locator('[data-test=user-menu]').waitFor()
}

/** Opens every collapsed node of the organization tree, the way a user clicks the arrows. */
async function expandTree(page) {
  const tree = page.locator('[data-test=org-tree] .el-tree')
  await tree.locator('.el-tree-node').first().waitFor()
  for (let round = 0; round < 50; round++) {
    const closed = tree.locator('.el-tree-node__expand-icon:not(.expanded):not(.is-leaf)')
    const n = await closed.count()
    if (n === 0) return
    for (let i = n - 1; i >= 0; i--) await closed.nth(i).click()
  }
}

async function treeNodeIds(page) {
  return page.locator('[data-test=org-tree] .el-tree .node[data-org-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-org-id')))
}

async function rootIds(page) {
  return page
    .locator('[data-test=org-tree] .el-tree > .el-tree-node > .el-tree-node__content .node[data-org-id]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-org-id')))
}

async function total(page) {
  const t = page.locator('[data-test=total]')
  await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-test=total]')?.textContent?.trim() ?? ''))
  return Number((await t.textContent()).trim())
}

/** The visible texts of one column of the member table, found by its header. */
async function columnTexts(page, header) {
  const headers = (await page.locator('[data-test=member-table] .el-table__header-wrapper thead th').allInnerTexts()).map((t) => t.trim())
  const i = headers.indexOf(header)
  assert(i >= 0, `the member table has no column ${header} (columns: ${headers})`)
  return (await (await tableRows(page)).locator(`td:nth-child(${i + 1})`).allInnerTexts()).map((t) => t.trim())
}

/** The value shown next to a label in the member detail. */
async function descriptionValue(page, label) {
  return page.locator('[data-test=member-descriptions]').evaluate((el, l) => {
    const cell = [...el.querySelectorAll('.el-descriptions__label')].find((c) => c.textContent.trim() === l)
    return cell?.nextElementSibling?.textContent.trim() ?? null
  }, label)
}

async function tableRows(page) {
  // Fixed columns render the body twice; the main body holds one row per record.
  return page.locator('[data-test=member-table] .el-table__body-wrapper tbody tr.el-table__row')
}

/** Picks an option in an Element Plus select by its visible text. */
async function choose(page, selectTestId, optionText) {
  await page.locator(`[data-test=${selectTestId}]`).click()
  const option = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: optionText }).first()
  await option.click()
}

/** The text input of an Element Plus input/date picker (the test id may land on the input or its wrapper). */
function inputOf(page, testId) {
  return page.locator(`input[data-test=${testId}], [data-test=${testId}] input`).first()
}

/** The input of an Element Plus number input inside `scope` (the test id may land on the input or its wrapper). */
function numberInput(scope, testId) {
  return scope.locator(`input[data-test=${testId}], [data-test=${testId}] input`).first()
}

/** Types a date into the date picker of the member form field with this label. */
async function fillDate(page, label, value) {
  const input = formItem(page, label).locator('input').first()
  await input.click()
  await input.fill(value)
  await input.press('Enter')
  // Close the calendar by clicking a neutral spot; Escape would close the whole dialog.
  await page.locator('.el-dialog__title').first().click()
}

function formItem(page, label) {
  return page.locator('[data-test=member-form] .el-form-item', { has: page.locator('.el-form-item__label', { hasText: label }) }).first()
}

// ---------------------------------------------------------------- data helpers

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'
const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1))
const pad = (n, w = 2) => String(n).padStart(w, '0')

/** A checksum-valid GB 11643 number for a random person; also returns a wrong-checksum variant. */
function makeIdNumber() {
  const y = rand(1975, 1995)
  const m = rand(1, 12)
  const d = rand(1, 28)
  const male = Math.random() < 0.5
  const seq = rand(10, 99) * 10 + (male ? rand(0, 4) * 2 + 1 : rand(0, 4) * 2)
  const body = `110105${y}${pad(m)}${pad(d)}${pad(seq, 3)}`
  const sum = [...body].reduce((s, c, i) => s + Number(c) * WEIGHTS[i], 0)
  const check = CHECK[sum % 11]
  const wrong = CHECK[(sum + 1) % 11]
  return { valid: body + check, invalid: body + wrong, birth: `${y}-${pad(m)}-${pad(d)}`, year: y, month: m, day: d, male }
}

/** What a masked view may show: the first and last character of an ID number, 3+2 digits of a phone. */
const MASKED_ID = /^[0-9]\*{16}[0-9X]$/
const MASKED_PHONE = /^1[0-9]{2}\*{6}[0-9]{2}$/
const maskId = (n) => `${n[0]}${'*'.repeat(16)}${n[17]}`
const maskPhone = (p) => `${p.slice(0, 3)}${'*'.repeat(6)}${p.slice(9)}`

/** The files of a zip archive (an .xlsx), read with node's inflate so no unzip tool is needed. */
function unzip(buf) {
  let end = buf.length - 22
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--
  assert(end >= 0, 'the download is not a zip archive')
  const files = new Map()
  let p = buf.readUInt32LE(end + 16)
  for (let n = buf.readUInt16LE(end + 10); n > 0; n--) {
    assert(buf.readUInt32LE(p) === 0x02014b50, 'broken zip directory')
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLength = buf.readUInt16LE(p + 28)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + size)
    files.set(name, method === 8 ? inflateRawSync(data) : data)
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32)
  }
  return files
}

function randomName() {
  const given = '明华国强建军丽敏静伟芳秀英志刚红梅晓东海燕春生'
  return `测试${given[rand(0, given.length - 1)]}${given[rand(0, given.length - 1)]}`
}

// ---------------------------------------------------------------- tests

// E2E_ONLY=g,h runs only the tests whose letter is listed (for working on one page).
const ONLY = (process.env.E2E_ONLY || '').split(',').map((x) => x.trim()).filter(Boolean)

async function test(name, fn) {
  if (ONLY.length && !ONLY.some((l) => name.startsWith(`(${l})`))) return
  const started = Date.now()
  try {
    await fn()
    passed++
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  } catch (e) {
    failed++
    console.log(`FAIL ${name}: ${e?.message ?? e}`)
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message)
}

async function main() {
  await mkdir(OUT, { recursive: true })
  if (!PASSWORD) {
    failed++
    console.log('FAIL setup: DEMO_PASSWORD is not set')
    return 1
  }
  try {
    const h = await fetch(`${BASE_URL}/healthz`)
    assert(h.ok, `/healthz answered ${h.status}`)
  } catch (e) {
    failed++
    console.log(`FAIL setup: server not reachable at ${BASE_URL}: ${e.message}`)
    return 1
  }

  const admin = await apiSession('admin')
  const adminOrgs = await admin.get('organizations')
  const topId = admin.me.grants.find((g) => g.role === 'org_admin')?.organization_id
  const topOrg = adminOrgs.find((o) => o.id === topId)

  await test('(a) admin sees the organization tree and a branch', async () => {
    assert(topOrg, 'admin has no org_admin grant on a visible organization')
    assert(adminOrgs.length >= 10, `demo data has only ${adminOrgs.length} organizations`)
    await withPage(async (page) => {
      await uiLogin(page, 'admin')
      await page.waitForURL(/\/orgs\//)
      await page.locator('[data-test=org-tree] .el-tree .node').first().waitFor()
      const roots = await rootIds(page)
      assert(roots.includes(topOrg.id), `top organization ${topOrg.name} is not a root of the tree (roots: ${roots})`)
      await expandTree(page)
      const ids = await treeNodeIds(page)
      assert(ids.length >= 10, `tree shows ${ids.length} nodes, expected at least 10`)
      await shot(page, 'a-admin-tree')

      const branch = adminOrgs.find((o) => o.kind === 'branch' && o.status === 'active')
      assert(branch, 'no active branch in the demo data')
      await page.locator(`[data-test=org-tree] .node[data-org-id="${branch.id}"]`).click()
      await page.waitForURL(new RegExp(`/orgs/${branch.id}$`))
      const detail = page.locator('[data-test=org-detail]')
      await detail.locator('h2', { hasText: branch.name }).waitFor()
      await detail.locator('[data-test=org-descriptions]', { hasText: '党支部' }).waitFor()
      await detail.getByText('班子成员').waitFor()
      await shot(page, 'a-branch-detail')
    })
  })

  await test('(b) admin lists and filters members', async () => {
    await withPage(async (page) => {
      await openFromMenu(page, 'admin', '党员管理', /\/members\?org=/)
      const rows = await tableRows(page)
      await rows.first().waitFor()
      const all = await total(page)
      assert(all > 0, `total is ${all}`)
      const name = (await rows.first().locator('td').first().innerText()).trim()
      assert(name, 'first row has no name')
      await inputOf(page, 'member-q').fill(name)
      await inputOf(page, 'member-q').press('Enter')
      await page.waitForFunction(
        ([n, before]) => {
          const t = Number(document.querySelector('[data-test=total]')?.textContent?.trim())
          const cells = [...document.querySelectorAll('[data-test=member-table] .el-table__body-wrapper tbody tr.el-table__row td:first-child')]
          return t >= 1 && t <= before && cells.length > 0 && cells.every((c) => c.textContent.includes(n))
        },
        [name, all],
      )
      await shot(page, 'b-members-filtered')

      // A probation that ran out without a conversion is flagged in the list and on the detail page.
      const probationary = await admin.get('members?status=probationary&limit=200')
      const overdue = probationary.items.find((m) => m.probation_overdue)
      assert(overdue, 'the demo has no overdue probationary member')
      await inputOf(page, 'member-q').fill(overdue.name)
      await inputOf(page, 'member-q').press('Enter')
      await page.locator('[data-test=member-table] [data-test=probation-overdue]').first().waitFor()
      await page.goto(`${BASE_URL}/members/${overdue.id}`)
      const flag = page.locator('[data-test=probation-overdue]').first()
      await flag.waitFor()
      assert((await flag.innerText()).includes('预备期已满未转正'), 'the detail page shows no overdue probation')
      assert((await page.locator('.el-descriptions').innerText()).includes(overdue.probation_ends), 'no probation end date')
    })
  })

  await test('(c) admin adds a member through the form and sees its history', async () => {
    const branch = adminOrgs.find((o) => o.kind === 'branch' && o.status === 'active')
    assert(branch, 'no active branch in the demo data')
    const person = makeIdNumber()
    const name = randomName()
    const joined = `${person.year + 25}-${pad(person.month)}-${pad(person.day)}`
    const converted = `${person.year + 26}-${pad(person.month)}-${pad(person.day)}`
    await withPage(async (page) => {
      await uiLogin(page, 'admin')
      await page.goto(`${BASE_URL}/members`)
      await inputOf(page, 'org-filter').fill(branch.name)
      await page.locator(`[data-test=org-tree] .node[data-org-id="${branch.id}"]`).click()
      await page.waitForURL(new RegExp(`org=${branch.id}`))
      await page.locator('[data-test=member-add]').click()
      const form = page.locator('[data-test=member-form]')
      await form.waitFor()

      await inputOf(page, 'f-name').fill(name)
      const idInput = inputOf(page, 'f-id-number')
      await idInput.fill(person.invalid)
      await idInput.blur()
      await formItem(page, '公民身份号码').locator('.el-form-item__error', { hasText: '校验位错误' }).waitFor()
      await shot(page, 'c-invalid-id')

      await idInput.fill(person.valid)
      await idInput.blur()
      const birthInput = formItem(page, '出生日期').locator('input').first()
      for (let i = 0; (await birthInput.inputValue()) !== person.birth; i++) {
        assert(i < 50, `birth date not filled from the ID number (shows ${await birthInput.inputValue()})`)
        await page.waitForTimeout(100)
      }
      await formItem(page, '公民身份号码').locator('.el-form-item__error').waitFor({ state: 'detached', timeout: 5000 })
      const genderChecked = await page.locator('[data-test=f-gender] .el-radio.is-checked').innerText()
      assert(genderChecked.trim() === (person.male ? '男' : '女'), `gender filled as ${genderChecked}`)

      await choose(page, 'f-education', '大学本科')
      await choose(page, 'f-occupation', '专业技术人员')
      await inputOf(page, 'f-phone').fill(`139${pad(rand(0, 99999999), 8)}`)
      await inputOf(page, 'f-work-unit').fill('测试单位')
      await inputOf(page, 'f-post').fill('工程师')
      await fillDate(page, '入党日期', joined)
      await fillDate(page, '转正日期', converted)
      await shot(page, 'c-form-filled')
      await page.locator('[data-test=member-save]').click()
      await form.waitFor({ state: 'hidden' })

      // The list now searches for the new name.
      const row = (await tableRows(page)).filter({ hasText: name }).first()
      await row.waitFor()
      await shot(page, 'c-member-listed')
      await row.locator('a', { hasText: name }).click()
      await page.waitForURL(/\/members\/[^/?]+$/)
      await page.locator('[data-test=member-descriptions]', { hasText: name }).waitFor()
      await page.locator('[data-test=history] .el-timeline-item').first().waitFor()
      await shot(page, 'c-member-history')
    })
  })

  await test('(d) a branch secretary sees only their subtree and not another branch’s member', async () => {
    const secA = await apiSession('sec_a')
    const secB = await apiSession('sec_b')
    const aOrgs = await secA.get('organizations')
    const aIds = new Set(aOrgs.map((o) => o.id))
    const aGrantOrgs = secA.me.grants.map((g) => g.organization_id)
    assert(aGrantOrgs.length > 0, 'sec_a has no grants')
    const bOrg = secB.me.grants.find((g) => !aIds.has(g.organization_id))?.organization_id
    assert(bOrg, 'sec_b has no organization outside sec_a’s subtree')
    const page1 = await admin.get(`members?organization_id=${bOrg}&subtree=true&limit=20`)
    const foreign = page1.items.find((m) => !aIds.has(m.organization_id))
    assert(foreign, 'no member found in sec_b’s branch')

    await withPage(async (page) => {
      await uiLogin(page, 'sec_a')
      await page.waitForURL(/\/orgs\//)
      await page.locator('[data-test=org-tree] .el-tree .node').first().waitFor()
      const roots = await rootIds(page)
      assert(roots.length > 0 && roots.every((id) => aGrantOrgs.includes(id)), `tree roots ${roots} are not sec_a’s organizations ${aGrantOrgs}`)
      await expandTree(page)
      const ids = await treeNodeIds(page)
      assert(ids.every((id) => aIds.has(id)), 'tree shows organizations outside sec_a’s subtree')
      assert(!ids.includes(topId), 'tree shows the group’s top organization')
      assert(!ids.includes(bOrg), 'tree shows sec_b’s branch')
      await shot(page, 'd-sec-a-tree')

      await page.goto(`${BASE_URL}/members/${foreign.id}`)
      await page.locator('[data-test=member-missing]', { hasText: '未找到该党员或无权查看' }).waitFor()
      await shot(page, 'd-sec-a-foreign-member')
    })
  })

  await test('(e) phone 390×844: login and member list render', async () => {
    await withPage(
      async (page) => {
        await page.goto(`${BASE_URL}/login`)
        await page.getByPlaceholder('用户名').waitFor()
        await shot(page, 'e-phone-login')
        await uiLogin(page, 'admin')
        await page.goto(`${BASE_URL}/members`)
        const rows = await tableRows(page)
        await rows.first().waitFor()
        assert((await total(page)) > 0, 'no members on the phone')
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        assert(overflow <= 1, `page is ${overflow}px wider than the phone screen`)
        await page.waitForTimeout(300)
        await shot(page, 'e-phone-members')
        // The menu is a drawer on phones.
        await page.getByRole('button', { name: '展开或收起菜单' }).click()
        await page.locator('.nav-drawer .el-menu-item', { hasText: '组织机构' }).waitFor()
        await page.waitForTimeout(400)
        await shot(page, 'e-phone-menu')
      },
      { viewport: { width: 390, height: 844 }, mobile: true },
    )
  })

  await test('(f) the audit admin sees only the audit log, checks its chain; domain pages are refused', async () => {
    await withPage(async (page) => {
      await uiLogin(page, 'auditor')
      await page.waitForURL(/\/audit$/)
      const menu = (await page.locator('.el-menu-item').allInnerTexts()).map((t) => t.trim())
      assert(menu.includes('审计日志'), `menu lacks 审计日志: ${menu}`)
      assert(!menu.includes('组织机构') && !menu.includes('党员管理'), `menu shows domain pages: ${menu}`)
      await page.locator('.audit .el-table').waitFor()
      await page.getByRole('button', { name: '校验完整性' }).click()
      await page.locator('.audit .el-alert--success', { hasText: '审计日志完整' }).waitFor()
      await shot(page, 'f-auditor-chain-verified')
      await page.goto(`${BASE_URL}/members`)
      await page.locator('[data-test=forbidden]', { hasText: '无权访问' }).waitFor()
      await shot(page, 'f-auditor-forbidden')
    })
  })

  await test('(g) a secretary records a meeting from the calendar and the window turns 已完成', async () => {
    // 主题党日 first, then 支委会, then any other meeting of the current month or quarter that one record completes.
    const preference = ['theme_day', 'branch_committee', 'general_meeting', 'party_lecture']
    function openWindow(cal) {
      for (const kind of preference) {
        const req = cal.compliance.requirements.find((r) => r.requirement === kind)
        const w = req?.windows.find((x) => x.from <= cal.today && cal.today <= x.to)
        const months = w ? Number(w.to.slice(5, 7)) - Number(w.from.slice(5, 7)) + 1 : 99
        if (w && w.status !== 'done' && w.required - w.held === 1 && months <= 3) return { kind, window: w }
      }
      return null
    }
    // The demo's meetings fall on seeded days of the month: on some dates sec_a's branch has already
    // held everything due, so the first secretary with a window left to complete records it.
    const { secretary, orgId, cal, picked: target } = await firstSecretaryWith('abcdefgh', openWindow)
    assert(target, `no open month/quarter window to complete for sec_a…sec_h on ${cal?.today}`)
    console.log(`     (g) ${secretary} records ${target.kind} for ${target.window.from}..${target.window.to} (${target.window.status})`)
    const cellSel = `[data-test=window-cell][data-requirement=${target.kind}][data-from="${target.window.from}"]`

    await withPage(async (page) => {
      await openFromMenu(page, secretary, '组织生活日历', new RegExp(`/orglife/calendar/${orgId}`))
      const cell = page.locator(cellSel)
      await cell.waitFor()
      const before = await cell.innerText()
      assert(!before.includes('已完成'), `the chosen window already shows 已完成: ${before}`)
      await page.waitForTimeout(300)
      await shot(page, 'g-calendar-before')

      await cell.click()
      await page.locator('[data-test=window-dialog]').waitFor()
      await page.locator('[data-test=window-record]').click()
      const form = page.locator('[data-test=meeting-form]')
      await form.waitFor()
      const heldOn = await inputOf(page, 'mf-held-on').inputValue()
      assert(heldOn >= target.window.from && heldOn <= target.window.to, `held_on ${heldOn} is not in the window`)
      await inputOf(page, 'mf-topic').fill('e2e 学习贯彻党的二十届四中全会精神')
      if (target.kind === 'party_lecture') {
        await page.locator('[data-test=meeting-form] .el-form-item', { hasText: '授课人' }).locator('input').first().fill('梁敏')
      }
      await page.locator('[data-test=att-row]').first().waitFor()
      const rows = await page.locator('[data-test=att-row]').count()
      // Mark one person absent first, so "全部出席" visibly does its job.
      await page.locator('[data-test=att-row]').first().locator('.el-radio-button', { hasText: '缺席' }).click()
      await page.locator('[data-test=att-all-present]').click()
      const present = Number(await page.locator('[data-test=att-present]').innerText())
      assert(present === rows && rows > 0, `全部出席 gives ${present} present of ${rows}`)
      await shot(page, 'g-meeting-form')
      await page.locator('[data-test=meeting-save]').click()
      await form.waitFor({ state: 'hidden' })
      await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-status') === 'done', cellSel)
      const after = await cell.innerText()
      assert(after.includes('已完成'), `cell text after recording: ${after}`)
      const bg = await cell.evaluate((el) => getComputedStyle(el).backgroundColor)
      assert(bg === 'rgb(232, 246, 224)', `done cell background is ${bg}, not the green of 已完成`)
      await page.waitForTimeout(300)
      await shot(page, 'g-calendar-after')
    })
  })

  await test('(h) admin drills down from the rollup to a branch calendar and a meeting record', async () => {
    const rollup = await admin.get(`organizations/${topId}/compliance-rollup`)
    assert(rollup.organizations.length > 1 && rollup.kinds.length > 0, 'rollup has no data')
    await withPage(async (page) => {
      await openFromMenu(page, 'admin', '组织生活汇总', new RegExp(`/orglife/rollup/${topId}`))
      await page.locator('[data-test=rollup-chart] canvas').first().waitFor()
      const table = page.locator('[data-test=rollup-table]')
      await table.locator('a.org-link').first().waitFor()
      assert((await table.locator('tr.el-table__row').count()) > 1, 'rollup table has a single row')
      // 谈心谈话 is judged pair by pair in each calendar: the rollup says it leaves it out of its sums.
      assert(!rollup.kinds.some((k) => k.kind === 'heart_to_heart_talk'), 'the rollup sums talk records')
      const notSummed = await page.locator('[data-test=rollup-not-summed]').innerText()
      assert(notSummed.includes('谈心谈话') && notSummed.includes('未计入'), `rollup note: ${notSummed}`)
      // Levels below the two sent are loaded when their row is expanded.
      const cut = rollup.organizations.find((o) => o.depth === 2 && o.children > 0)
      assert(cut, 'the demo rollup has organizations below its second level')
      const cutRow = table.locator('tr.el-table__row', { has: page.locator(`a.org-link[data-org-id="${cut.organization_id}"]`) })
      const rowsBefore = await table.locator('tr.el-table__row').count()
      await cutRow.locator('.el-table__expand-icon').click()
      await page.waitForFunction(
        ([sel, n]) => document.querySelectorAll(`${sel} tr.el-table__row`).length > n,
        ['[data-test=rollup-table]', rowsBefore],
      )
      await page.waitForTimeout(500)
      await shot(page, 'h-rollup')
      await page.getByRole('tab', { name: '党员参加情况' }).click()
      await page.locator('[data-test=participation] .el-table__row').first().waitFor()
      await shot(page, 'h-participation')
      await page.getByRole('tab', { name: '完成情况' }).click()

      const branchKinds = new Set(['branch', 'joint_branch', 'temporary_branch'])
      const candidates = rollup.organizations.filter((o) => branchKinds.has(o.kind) && o.own.done > 0).map((o) => o.organization_id)
      let branchId = null
      for (const id of candidates) {
        if (await table.locator(`a.org-link[data-org-id="${id}"]`).isVisible()) {
          branchId = id
          break
        }
      }
      assert(branchId, 'no branch with done windows is visible in the rollup table')
      await table.locator(`a.org-link[data-org-id="${branchId}"]`).click()
      await page.waitForURL(new RegExp(`/orglife/calendar/${branchId}`))
      const done = page.locator('[data-test=window-cell][data-status=done]:not([data-kind=party_group_meeting])').first()
      await done.waitFor()
      await page.waitForTimeout(300)
      await shot(page, 'h-branch-calendar')
      await done.click()
      const link = page.locator('[data-test=window-meeting-link]').first()
      await link.waitFor()
      await shot(page, 'h-window-dialog')
      const topic = (await link.innerText()).trim()
      await link.click()
      await page.waitForURL(/\/meetings\/[^/?]+$/)
      await page.locator('[data-test=meeting-topic]', { hasText: topic }).waitFor()
      await page.locator('[data-test=meeting-attendance]').waitFor()
      await shot(page, 'h-meeting-record')
    })
  })

  await test('(i) 党费计算器: 3000.01 元 for an employed member gives 30.00 元', async () => {
    await withPage(async (page) => {
      await openFromMenu(page, 'member01', '党费计算器', /\/calc\/dues$/)
      const base = inputOf(page, 'dues-base')
      await base.fill('3000.015')
      await page.locator('[data-test=dues-form] .el-form-item__error', { hasText: '两位小数' }).waitFor()
      await base.fill('-5')
      await page.locator('[data-test=dues-form] .el-form-item__error', { hasText: '负数' }).waitFor()
      await shot(page, 'i-dues-invalid')
      await base.fill('3000.01')
      await page.locator('[data-test=dues-form] .el-form-item__error').waitFor({ state: 'detached' })
      await page.locator('[data-test=dues-submit]').click()
      const amount = page.locator('[data-test=dues-amount]')
      await amount.waitFor()
      const text = (await amount.innerText()).trim()
      assert(text === '30.00', `amount shows ${text}`)
      await page.locator('[data-test=dues-result]', { hasText: '1%' }).waitFor()
      await page.locator('[data-test=dues-result] [data-test=rule-link]').first().waitFor()
      await shot(page, 'i-dues-result')
      // The rule ids lead to the rules page, filtered to that rule.
      await page.locator('[data-test=dues-result] [data-test=rule-link]').first().click()
      await page.waitForURL(/\/rules\?q=/)
      await page.locator('[data-test=rules-table] .hl-row').first().waitFor()
      await page.waitForTimeout(300)
      await shot(page, 'i-rules-linked')
    })
  })

  await test('(j) 发展党员时间推算 shows all 25 steps', async () => {
    await withPage(async (page) => {
      await uiLogin(page, 'admin')
      await page.goto(`${BASE_URL}/calc/recruitment`)
      const input = inputOf(page, 'recruit-application')
      await input.click()
      await input.fill('2026-03-01')
      await input.press('Enter')
      await page.locator('.page-title').first().click()
      await page.locator('[data-test=recruit-submit]').click()
      await page.locator('[data-test=recruit-result]').waitFor()
      const n = await page.locator('[data-test=plan-step]').count()
      assert(n === 25, `timeline shows ${n} steps`)
      await page.locator('[data-test=recruit-probation]').waitFor()
      await page.waitForTimeout(300)
      await shot(page, 'j-recruitment')
      await page.emulateMedia({ media: 'print' })
      await shot(page, 'j-recruitment-print')
    })
  })

  await test('(k) inspectors read organizational life without write buttons; members and system roles are refused', async () => {
    await withPage(async (page) => {
      await uiLogin(page, 'inspector')
      await page.goto(`${BASE_URL}/orglife/calendar`)
      await page.locator('[data-test=window-cell]').first().click()
      await page.locator('[data-test=window-dialog]').waitFor()
      assert((await page.locator('[data-test=window-record]').count()) === 0, 'inspector sees the 登记 button')
      await page.goto(`${BASE_URL}/meetings`)
      await page.locator('[data-test=meeting-table] .el-table__row').first().waitFor()
      assert((await page.locator('[data-test=meeting-add]').count()) === 0, 'inspector sees 新增记录')
      await shot(page, 'k-inspector-meetings')
    })
    for (const user of ['member01', 'sysadmin']) {
      await withPage(async (page) => {
        await uiLogin(page, user)
        const menu = (await page.locator('.el-menu-item').allInnerTexts()).map((t) => t.trim())
        assert(menu.includes('党费计算器') && menu.includes('规则'), `${user} lacks the tools: ${menu}`)
        assert(!menu.includes('会议记录') && !menu.includes('组织生活日历'), `${user} sees organizational life: ${menu}`)
        await page.goto(`${BASE_URL}/meetings`)
        await page.locator('[data-test=forbidden]').waitFor()
      })
    }
  })


  await test('(l) a secretary saves appraisal entries; a save over someone else’s is refused and kept', async () => {
    const secA = await apiSession('sec_a')
    const orgId = secA.me.grants.find((g) => g.role === 'secretary')?.organization_id
    const year = Number((await secA.get(`organizations/${orgId}/compliance`)).today.slice(0, 4))
    const open = (await secA.get(`appraisals?organization_id=${orgId}`)).find((a) => a.year === year && a.status === 'open')
    const appraisal = open ?? (await secA.send('POST', 'appraisals', { organization_id: orgId, year }))
    const detail = await secA.get(`appraisals/${appraisal.id}`)
    const [first, second] = detail.entries
    assert(first && second, 'the appraisal has fewer than two entries')
    await withPage(async (page) => {
      await uiLogin(page, 'sec_a')
      await page.goto(`${BASE_URL}/appraisals/${appraisal.id}`)
      const table = page.locator('[data-test=appraisal-table]')
      const selfText = (n) => table.locator('tr.el-table__row').nth(n).locator('textarea').first()
      await selfText(0).waitFor()
      await selfText(0).fill('e2e 自评：认真学习，按时参加组织生活')
      await page.locator('[data-test=appraisal-save-all]').click()
      await page.locator('.el-message', { hasText: '评议记录已保存' }).waitFor()
      const saved = (await secA.get(`appraisals/${appraisal.id}`)).entries.find((e) => e.member_id === first.member_id)
      assert(saved.self_text === 'e2e 自评：认真学习，按时参加组织生活', `stored self_text: ${saved.self_text}`)

      // Someone else saves the second entry while this page still shows the old one.
      await secA.send('PUT', `appraisals/${appraisal.id}/entries/${second.member_id}`, { version: second.version, self_text: '另一位同志录入' })
      await selfText(1).fill('本页的修改')
      await page.locator('[data-test=appraisal-save-all]').click()
      await page.locator('[data-test=appraisal-error]', { hasText: '已被他人修改' }).waitFor()
      await shot(page, 'l-appraisal-stale')
      const kept = (await secA.get(`appraisals/${appraisal.id}`)).entries.find((e) => e.member_id === second.member_id)
      assert(kept.self_text === '另一位同志录入', `the other save was overwritten: ${kept.self_text}`)
    })
  })

  // The tests from here on reset passwords: only of accounts (member03, secadmin) that no other test
  // logs in as, so the order of the tests above does not matter to them.

  await test('(m) the system admin resets a user’s password; the one-time password only opens the change form', async () => {
    const target = 'member03'
    const oneTime = 'Ot7#kRw2-Lq9'
    const chosen = 'Nw5!pXe8-Vz3'
    const sys = await apiSession('sysadmin')
    const account = (await sys.get('users')).find((u) => u.username === target)
    assert(account, `no account ${target}`)
    // Accounts belong to the system admin alone (三员分立): the organization admin may not reset one.
    const byAdmin = await admin.call('POST', `users/${account.id}/password`, { password: oneTime })
    assert(byAdmin.status === 403, `the organization admin's reset answered ${byAdmin.status}`)

    await withPage(async (page) => {
      await uiLogin(page, 'sysadmin')
      await page.waitForURL(/\/users$/)
      await userRow(page, target).getByRole('button', { name: '重置密码' }).click()
      const box = messageBox(page, '重置密码')
      await box.locator('.el-message-box__input input').fill(oneTime)
      await box.getByRole('button', { name: '重置', exact: true }).click()
      await page.locator('.el-message', { hasText: '密码已重置为一次性密码' }).waitFor()
      await box.waitFor({ state: 'hidden' })
      await shot(page, 'm-reset-by-sysadmin')
    })

    await withPage(async (page) => {
      const said = await resetNotice(page, target, oneTime)
      assert(said.includes('由 sysadmin 重置'), `the change form says: ${said}`)
      await shot(page, 'm-change-required')
      // Every other page leads back to the change form, and the API refuses everything else.
      await page.goto(`${BASE_URL}/calc/dues`)
      await page.waitForURL(/\/login$/)
      await page.locator('[data-test=change-submit]').waitFor()
      const refused = await apiCall(await pageCookie(page), 'GET', 'rules')
      assert(
        refused.status === 403 && refused.body?.code === 'password_change_required',
        `GET rules with the one-time password answered ${refused.status} ${JSON.stringify(refused.body)}`,
      )
      await setNewPassword(page, oneTime, chosen)
      await page.goto(`${BASE_URL}/calc/dues`)
      await page.locator('[data-test=dues-form]').waitFor()
      await shot(page, 'm-after-change')
    })

    await withPage(async (page) => {
      // The first login with the new password says once more who reset it, then never again.
      await submitLogin(page, target, chosen)
      const box = messageBox(page, '密码重置提示')
      await box.waitFor()
      const said = await box.innerText()
      assert(said.includes('由 sysadmin 重置'), `the login notice says: ${said}`)
      await shot(page, 'm-reset-told')
      await box.locator('.el-message-box__btns .el-button--primary').click()
      await page.waitForURL((u) => !u.pathname.startsWith('/login'))
      await page.locator('[data-test=user-menu]').waitFor()
      await uiLogout(page)
      await submitLogin(page, target, chosen)
      await page
        .waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 5000 })
        .catch(() => assert(false, 'the second login after the reset did not go straight in'))
    })
  })

  await test('(n) a security role’s reset waits for another security role’s approval; nobody approves their own', async () => {
    const target = 'secadmin'
    const oneTime = 'Sa4#vQm8-Jt2'
    // Back to the demo password: the next run on the same database logs in as the owner again.
    const chosen = PASSWORD
    await withPage(async (page) => {
      await uiLogin(page, 'sysadmin')
      await userRow(page, target).getByRole('button', { name: '重置密码' }).click()
      const box = messageBox(page, '重置密码')
      await box.getByText('须由另一类安全管理员批准').waitFor()
      await box.locator('.el-message-box__input input').fill(oneTime)
      await box.getByRole('button', { name: '提交申请', exact: true }).click()
      await page.locator('.el-message', { hasText: '已提交重置申请' }).waitFor()
      await box.waitFor({ state: 'hidden' })
      const row = pendingRow(page, target)
      await row.waitFor()
      assert((await row.innerText()).includes('sysadmin'), 'the pending request does not name its requester')
      await row.getByRole('button', { name: '撤回' }).waitFor()
      assert((await row.getByRole('button', { name: '批准' }).count()) === 0, 'the requester is offered 批准')
      await shot(page, 'n-reset-requested')
    })

    const sys = await apiSession('sysadmin')
    const owner = await apiSession(target)
    const request = (await sys.get('password-resets')).find((r) => r.username === target)
    assert(request, 'the request is not pending')
    for (const [who, s] of [['the requester', sys], ['the account’s owner', owner]]) {
      const r = await s.call('POST', `password-resets/${request.id}/approve`)
      assert(r.status === 403, `approval by ${who} answered ${r.status} ${JSON.stringify(r.body)}`)
    }
    assert((await owner.call('GET', 'me')).status === 200, 'the old password stopped working before approval')

    await withPage(async (page) => {
      // The audit admin is the one security role left to approve a reset of the security admin.
      await uiLogin(page, 'auditor')
      const row = pendingRow(page, target)
      await row.waitFor()
      await shot(page, 'n-reset-pending-for-auditor')
      await row.getByRole('button', { name: '批准' }).click()
      await messageBox(page, '批准密码重置').locator('.el-message-box__btns .el-button--primary').click()
      await page.locator('.el-message', { hasText: '已批准，密码已重置' }).waitFor()
      await row.waitFor({ state: 'detached' })
    })
    assert((await owner.call('GET', 'me')).status === 401, 'the owner’s session outlived the approved reset')

    await withPage(async (page) => {
      const said = await resetNotice(page, target, oneTime)
      assert(said.includes('由 sysadmin（经 auditor 批准） 重置'), `the change form says: ${said}`)
      await shot(page, 'n-change-required')
      await setNewPassword(page, oneTime, chosen)
      await page.waitForURL(/\/users$/)
    })
  })

  await test('(o) the inspector sees masked ID numbers and phones, exports masked; the audit admin sees the export', async () => {
    const inspector = await apiSession('inspector')
    await withPage(async (page) => {
      await openFromMenu(page, 'inspector', '党员管理', /\/members\?org=/)
      await (await tableRows(page)).first().waitFor()
      const ids = await columnTexts(page, '身份证号')
      const phones = await columnTexts(page, '手机号')
      assert(ids.length > 0 && ids.every((x) => MASKED_ID.test(x)), `ID numbers in the list: ${ids.slice(0, 5)}`)
      assert(phones.some(Boolean) && phones.every((x) => !x || MASKED_PHONE.test(x)), `phones in the list: ${phones.slice(0, 5)}`)
      await shot(page, 'o-inspector-members')

      await (await tableRows(page)).first().locator('td').first().locator('a').click()
      await page.waitForURL(/\/members\/[^/?]+$/)
      const memberId = new URL(page.url()).pathname.split('/').pop()
      await page.locator('[data-test=member-descriptions]').waitFor()
      await page.locator('[data-test=history] .el-timeline-item').first().waitFor()
      // The organization admin's full read (audited) is the reference the page is compared with.
      const full = await admin.get(`members/${memberId}?unmask=true`)
      const shownId = await descriptionValue(page, '公民身份号码')
      const shownPhone = await descriptionValue(page, '手机号')
      assert(shownId === maskId(full.id_number), `detail shows ID number ${shownId}`)
      assert(!full.phone || shownPhone === maskPhone(full.phone), `detail shows phone ${shownPhone}`)
      // The birth date is shown, so the hidden part must reach past it into the sequence digits:
      // neither the number nor its birth-and-sequence digits appear anywhere on the page.
      const text = await page.locator('body').innerText()
      for (const part of [full.id_number, full.id_number.slice(0, 14), full.id_number.slice(6, 17), full.phone].filter(Boolean)) {
        assert(!text.includes(part), `the page shows ${part} of the member’s ID number or phone`)
      }
      assert((await page.locator('[data-test=unmask]').count()) === 0, 'the inspector is offered 显示完整证件号')
      const unmasked = await inspector.call('GET', `members/${memberId}?unmask=true`)
      assert(unmasked.status === 403, `the inspector's unmasked read answered ${unmasked.status}`)
      await shot(page, 'o-inspector-member-detail')

      await page.goBack()
      await (await tableRows(page)).first().waitFor()
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出Excel' }).click()])
      assert(download.suggestedFilename().endsWith('.xlsx'), `export named ${download.suggestedFilename()}`)
      const xml = [...unzip(await readFile(await download.path())).entries()]
        .filter(([name]) => name.endsWith('.xml'))
        .map(([, data]) => data.toString('utf8'))
        .join('\n')
      assert(/[0-9]\*{16}[0-9X]/.test(xml), 'the roster holds no masked ID number')
      const fullId = /(?<![0-9*])[0-9]{17}[0-9X](?![0-9*])/.exec(xml)
      assert(!fullId, `the roster holds a full ID number: ${fullId?.[0]}`)
      assert(!xml.includes(full.id_number), 'the roster holds the member’s full ID number')
    })

    await withPage(async (page) => {
      await uiLogin(page, 'auditor')
      const actor = page.getByPlaceholder('操作人姓名')
      await actor.fill('inspector')
      await actor.press('Enter')
      const row = page
        .locator('.audit .el-table__body-wrapper tr.el-table__row')
        .filter({ has: page.locator('.code').getByText('member.export', { exact: true }) })
        .first()
      await row.waitFor()
      assert((await row.innerText()).includes('inspector'), `the export row names no inspector: ${await row.innerText()}`)
      await row.locator('.el-table__expand-icon').click()
      await page.locator('.audit .diff pre', { hasText: '党员花名册' }).first().waitFor()
      await shot(page, 'o-audit-export')
      await page.getByRole('button', { name: '校验完整性' }).click()
      await page.locator('.audit .el-alert--success', { hasText: '审计日志完整' }).waitFor()
      await shot(page, 'o-audit-chain-intact')
    })
  })

  await test('(p) a member sees only their own record: no fellow member, no participation of others', async () => {
    const member = await apiSession('member02')
    const own = await member.get(`members/${member.me.member_id}`)
    const orgId = own.organization_id
    const fellows = (await admin.get(`members?organization_id=${orgId}&subtree=false&limit=200`)).items.filter(
      (m) => m.id !== own.id && m.name !== own.name,
    )
    assert(fellows.length > 0, 'member02 has nobody else in the branch')
    const participation = await member.call('GET', `organizations/${orgId}/participation`)
    assert(
      participation.status !== 200 || participation.body.every((p) => p.member_id === own.id),
      `the branch's participation list shows others to a member: ${JSON.stringify(participation.body).slice(0, 200)}`,
    )
    await withPage(async (page) => {
      await openFromMenu(page, 'member02', '党员管理', /\/members\?org=/)
      const rows = await tableRows(page)
      await rows.first().waitFor()
      assert((await total(page)) === 1, `the member list counts ${await total(page)}`)
      const names = await columnTexts(page, '姓名')
      assert(names.length === 1 && names[0] === own.name, `the member list shows ${names}`)
      const text = await page.locator('body').innerText()
      const seen = fellows.filter((m) => text.includes(m.name)).map((m) => m.name)
      assert(seen.length === 0, `the member list page shows fellow members ${seen}`)
      await shot(page, 'p-member-own-record')
      await page.goto(`${BASE_URL}/members/${fellows[0].id}`)
      await page.locator('[data-test=member-missing]').waitFor()
      assert(!(await page.locator('body').innerText()).includes(fellows[0].name), 'the refusal names the fellow member')
      for (const path of [`orglife/rollup/${orgId}`, 'meetings', 'appraisals']) {
        await page.goto(`${BASE_URL}/${path}`)
        await page.locator('[data-test=forbidden]').waitFor()
      }
      await shot(page, 'p-member-orglife-refused')
    })
  })

  await test('(u) a party group lists its placed members; one is removed and added back, a member of another group is refused by its rule', async () => {
    const groups = adminOrgs.filter((o) => o.kind === 'party_group' && o.status === 'active')
    assert(groups.length >= 2, `the demo has ${groups.length} party groups`)
    const [one, two] = groups
    const placedOne = await admin.get(`organizations/${one.id}/placements`)
    const placedTwo = await admin.get(`organizations/${two.id}/placements`)
    assert(placedOne.length > 1 && placedTwo.length > 0, `the demo's party groups hold ${placedOne.length} and ${placedTwo.length} members`)
    // A name met once, so the picker's option is that member.
    const everyone = [...placedOne, ...placedTwo].map((p) => p.name)
    const unique = (p) => everyone.filter((n) => n === p.name).length === 1
    const gone = placedOne.find(unique)
    const other = placedTwo.find(unique)
    assert(gone && other, 'no member with a name of their own in the two groups')

    // The API refuses a member of another branch, naming the rule and the field.
    const temp = adminOrgs.find((o) => o.kind === 'temporary_branch' && o.status === 'active')
    const outsider = (await admin.get(`organizations/${temp.id}/placements`)).find((p) => p.home_organization_id !== one.parent_id)
    assert(outsider, 'the temporary branch holds nobody from another branch')
    const ids = placedOne.map((p) => p.member_id)
    const refused = await admin.call('PUT', `organizations/${one.id}/placements`, { member_ids: [...ids, outsider.member_id] })
    assert(
      refused.status === 409 && refused.body.rule === 'placement.party_group_branch' && refused.body.fields[0]?.field === `member_ids[${ids.length}]`,
      `a member of another branch was answered ${refused.status} ${JSON.stringify(refused.body)}`,
    )

    await withPage(async (page) => {
      await uiLogin(page, 'admin')
      await page.goto(`${BASE_URL}/orgs/${one.id}`)
      const detail = page.locator('[data-test=org-detail]')
      await detail.locator('h2', { hasText: one.name }).waitFor()
      await detail.locator('.el-tabs__item', { hasText: '成员' }).click()
      const rows = detail.locator('[data-test=placement-table] .el-table__body-wrapper tbody tr.el-table__row')
      await rows.nth(placedOne.length - 1).waitFor()
      assert((await rows.count()) === placedOne.length, `the group shows ${await rows.count()} members, the API ${placedOne.length}`)
      await detail.locator('.el-tabs__item', { hasText: `成员（${placedOne.length}）` }).waitFor()

      await rows.filter({ hasText: gone.name }).locator('[data-test=placement-remove]').click()
      await messageBox(page, '移出成员').locator('.el-message-box__btns .el-button--primary').click()
      await detail.locator('.el-tabs__item', { hasText: `成员（${placedOne.length - 1}）` }).waitFor()
      assert((await rows.filter({ hasText: gone.name }).count()) === 0, `${gone.name} is still listed`)

      const pick = async (name) => {
        const input = detail.locator('[data-test=placement-add] input').first()
        await input.click()
        await input.fill(name)
        await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: `${name}（` }).first().click()
      }
      await pick(gone.name)
      await rows.filter({ hasText: gone.name }).waitFor()
      await detail.locator('.el-tabs__item', { hasText: `成员（${placedOne.length}）` }).waitFor()

      await pick(other.name)
      const refusal = detail.locator('[data-test=placement-refusal]')
      await refusal.waitFor()
      const said = await refusal.innerText()
      assert(said.includes('一个党小组') && said.includes(other.name), `the refusal says ${said}`)
      await refusal.locator('[data-test=rule-link]', { hasText: 'placement.one_party_group' }).waitFor()
      await shot(page, 'r-party-group-members')
    })
    const after = (await admin.get(`organizations/${one.id}/placements`)).map((p) => p.member_id).sort()
    assert(JSON.stringify(after) === JSON.stringify([...ids].sort()), 'the group does not hold the members it started with')
  })

  await test('(q) security headers on pages, assets and the API; no page may frame the app', async () => {
    const index = await fetch(`${BASE_URL}/members`)
    const html = await index.text()
    const asset = /<script[^>]+src="([^"]+)"/.exec(html)?.[1]
    assert(asset, 'index page loads no script')
    const answers = [
      ['page', index],
      ['asset', await fetch(new URL(asset, BASE_URL))],
      ['API', await fetch(`${BASE_URL}/api/v1/me`)],
    ]
    for (const [what, r] of answers) {
      const h = (name) => r.headers.get(name) ?? ''
      const csp = h('content-security-policy')
      assert(/frame-ancestors 'none'/.test(csp), `${what}: CSP ${csp || 'missing'}`)
      assert(/script-src 'self'(;|$)/.test(csp), `${what}: CSP lets scripts come from elsewhere: ${csp}`)
      assert(h('x-content-type-options') === 'nosniff', `${what}: X-Content-Type-Options ${h('x-content-type-options')}`)
      assert(h('referrer-policy') === 'no-referrer', `${what}: Referrer-Policy ${h('referrer-policy') || 'missing'}`)
      assert(h('x-frame-options').toUpperCase() === 'DENY', `${what}: X-Frame-Options ${h('x-frame-options') || 'missing'}`)
    }
    const api = answers[2][1]
    assert(/no-store/.test(api.headers.get('cache-control') ?? ''), `API answer cached: ${api.headers.get('cache-control')}`)

    await withPage(
      async (page) => {
        const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 10000 })
        await page.setContent(`<iframe src="${BASE_URL}/login" width="600" height="400"></iframe>`)
        await refused
        const frame = page.frames().find((f) => f !== page.mainFrame())
        const framed = frame ? await frame.locator('input').count().catch(() => 0) : 0
        assert(framed === 0, 'the login form rendered inside a frame')
      },
      { allowConsole: [/frame-ancestors/] },
    )
  })

  // Runs after (g), which looks for a window one record completes: this one records a 党员大会.
  await test('(r) a secretary records a 党员大会 with an exclusion, a written opinion and 民主评议; the record shows them', async () => {
    const s = await apiSession('sec_b')
    const orgId = s.me.grants.find((g) => g.role === 'secretary')?.organization_id
    assert(orgId, 'sec_b has no secretary grant')
    const expected = await s.get(`organizations/${orgId}/expected-attendees`)
    const full = expected.filter((m) => m.status === 'full')
    assert(full.length >= 5, `sec_b's branch has ${full.length} full members, too few for this test`)
    const { today } = await s.get(`organizations/${orgId}/compliance`)
    const topic = `e2e 党员大会 ${Date.now()}`
    // Two full members absent: one abroad and left out of the count, the other sends a written opinion.
    const absent = full.slice(0, 2).map((m) => m.member_id)
    const presentFull = full.length - 2

    await withPage(async (page) => {
      await newHeldMeeting(page, orgId, '党员大会', today, topic)
      await page.locator('[data-test=mf-with-appraisal]').click()

      await page.locator('[data-test=att-row]').first().waitFor()
      await page.locator('[data-test=att-all-present]').click()
      // The rows are in the order of the expected attendees.
      for (const id of absent) {
        const row = page.locator('[data-test=att-row]').nth(expected.findIndex((m) => m.member_id === id))
        await row.locator('.el-radio-button', { hasText: '缺席' }).click()
      }

      await page.locator('[data-test=exclusion-add]').click()
      await page.locator('[data-test=exclusion-row]').first().locator('[data-test=exclusion-reason]').click()
      await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '自费出国' }).first().click()
      await numberInput(page.locator('[data-test=exclusion-row]').first(), 'exclusion-count').fill('1')

      await page.locator('[data-test=vote-add]').click()
      const vote = page.locator('[data-test=vote-row]').first()
      await vote.getByPlaceholder('表决事项', { exact: false }).fill('e2e 接收预备党员')
      await numberInput(vote, 'vote-in_favour').fill(String(presentFull))
      await numberInput(vote, 'vote-written_in_favour').fill('1')
      // Leave the number inputs so their values are taken.
      await page.locator('.el-dialog__title').first().click()
      await shot(page, 'r-general-meeting-form')
      await page.locator('[data-test=meeting-save]').click()
      await page.waitForURL(/\/meetings\/[^/?]+$/)
      await page.locator('[data-test=meeting-topic]', { hasText: topic }).waitFor()

      await page.locator('[data-test=meeting-with-appraisal]', { hasText: '同时开展民主评议党员' }).waitFor()
      const exclusions = await page.locator('[data-test=meeting-exclusions]').innerText()
      assert(exclusions.includes('自费出国（境）半年以上 1 人'), `the quorum shows no exclusion: ${exclusions}`)
      const quorum = await page.locator('[data-test=meeting-quorum]').innerText()
      assert(quorum.includes('到会人数符合规定'), `quorum: ${quorum}`)
      const written = await page.locator('[data-test=meeting-votes] [data-test=vote-written]').first().innerText()
      assert(written.includes('赞成 1'), `the vote shows no written opinion: ${written}`)
      const votes = await page.locator('[data-test=meeting-votes]').innerText()
      assert(votes.includes('通过'), `the motion did not pass: ${votes}`)
      await page.waitForTimeout(300)
      await shot(page, 'r-general-meeting-record')
    })
    const list = await s.get(`meetings?organization_id=${orgId}&kind=general_meeting&limit=50`)
    const saved = list.items.find((m) => m.topic === topic)
    assert(saved, 'the 党员大会 is not in the meeting list')
    const m = await s.get(`meetings/${saved.id}`)
    assert(m.with_appraisal === true, 'with_appraisal was not saved')
    assert(m.quorum?.exclusions?.[0]?.reason === 'abroad' && m.quorum.exclusions[0].count === 1, `exclusions saved: ${JSON.stringify(m.quorum?.exclusions)}`)
    assert(m.quorum.entitled === full.length - 1, `entitled ${m.quorum.entitled}, expected ${full.length - 1}`)
    assert(m.votes[0]?.written_in_favour === 1, `written opinions saved: ${JSON.stringify(m.votes[0])}`)
  })

  await test('(s) a branch calendar shows its 谈心谈话 pairs: covered of required, and the pairs still missing', async () => {
    // The first secretary whose branch has talk pairs to judge (talks are judged for branches).
    const { secretary, orgId, picked: talks } = await firstSecretaryWith('cdefghab', (cal) =>
      cal.compliance.talks?.pairs > 0 ? cal.compliance.talks : null,
    )
    assert(secretary, `no demo branch of sec_a…sec_h has talk pairs on its calendar`)
    await withPage(async (page) => {
      await uiLogin(page, secretary)
      await page.goto(`${BASE_URL}/orglife/calendar/${orgId}`)
      const line = page.locator('[data-test=talks-line]')
      await line.waitFor()
      const text = (await line.innerText()).replace(/\s+/g, ' ')
      assert(text.includes(`已谈 ${talks.covered} / 应谈 ${talks.pairs} 对`), `talk line: ${text}`)
      if (talks.missing.length) {
        const rows = page.locator('[data-test=talks-missing] .el-table__body-wrapper tr.el-table__row')
        await rows.first().waitFor()
        assert((await rows.count()) === talks.missing.length, `${await rows.count()} missing pairs shown, ${talks.missing.length} sent`)
        const first = await rows.first().innerText()
        const p = talks.missing[0]
        assert(first.includes(`${p.a_name} — ${p.b_name}`) && first.includes(p.kind), `first missing pair: ${first}`)
        if (talks.missing_total > talks.missing.length) {
          await page.locator('[data-test=calendar-talks]', { hasText: `共 ${talks.missing_total} 对` }).waitFor()
        }
      }
      await line.scrollIntoViewIfNeeded()
      await page.waitForTimeout(300)
      await shot(page, 's-calendar-talks')
    })
  })

  await test('(t) a 谈心谈话 is recorded as its two people: one is refused before saving, two are saved present', async () => {
    const s = await apiSession('sec_b')
    const orgId = s.me.grants.find((g) => g.role === 'secretary')?.organization_id
    const expected = await s.get(`organizations/${orgId}/expected-attendees`)
    assert(expected.length >= 2, 'sec_b’s branch has fewer than two members')
    const { today } = await s.get(`organizations/${orgId}/compliance`)
    const [a, b] = expected
    const topic = `e2e 谈心谈话 ${Date.now()}`
    await withPage(async (page) => {
      await newHeldMeeting(page, orgId, '谈心谈话', today, topic)
      await page.locator('[data-test=talk-pair]').waitFor()
      assert((await page.locator('[data-test=attendance]').count()) === 0, 'a talk still shows the attendance list')
      await choose(page, 'talk-a', a.name)
      await page.locator('[data-test=meeting-save]').click()
      await page.locator('[data-test=talk-error]', { hasText: '须选择谈话人和谈话对象两人' }).waitFor()
      // Let the first picker's list close, so only the second one's options are on screen.
      await page.waitForFunction(() => [...document.querySelectorAll('.el-select-dropdown')].filter((d) => d.offsetParent !== null).length === 0)
      await choose(page, 'talk-b', b.name)
      await shot(page, 't-talk-form')
      await page.locator('[data-test=meeting-save]').click()
      await page.waitForURL(/\/meetings\/[^/?]+$/)
      await page.locator('[data-test=meeting-topic]', { hasText: topic }).waitFor()
      const attendance = await page.locator('[data-test=meeting-attendance]').innerText()
      assert(attendance.includes('出席（2人）') && attendance.includes(a.name) && attendance.includes(b.name), `talk attendance: ${attendance}`)
    })
  })

  await test('(v) a secretary takes an applicant to activist in the UI; designating a development target too early is refused with its rule and first date', async () => {
    const s = await apiSession('sec_b')
    const orgId = s.me.grants.find((g) => g.role === 'secretary')?.organization_id
    const { today } = await s.get(`organizations/${orgId}/compliance`)
    const applied = new Date(Date.parse(`${today}T00:00:00Z`) - 200 * 86400000).toISOString().slice(0, 10)
    const person = makeIdNumber()
    const name = randomName()
    await withPage(async (page) => {
      await uiLogin(page, 'sec_b')
      await page.goto(`${BASE_URL}/recruitment?org=${orgId}`)
      await page.locator('[data-test=recruitment-open]').click()
      const form = page.locator('[data-test=recruitment-open-form]')
      await form.waitFor()
      await inputOf(page, 'rc-name').fill(name)
      await inputOf(page, 'rc-id-number').fill(person.valid)
      await inputOf(page, 'rc-id-number').blur()
      await choose(page, 'rc-education', '大学本科')
      await choose(page, 'rc-occupation', '专业技术人员')
      await inputOf(page, 'rc-work-unit').fill('测试单位')
      const date = inputOf(page, 'rc-application-date')
      await date.click()
      await date.fill(applied)
      await date.press('Enter')
      await page.locator('.el-dialog__title').first().click()
      await shot(page, 'v-open-form')
      await page.locator('[data-test=recruitment-open-submit]').click()
      await page.waitForURL(/\/recruitment\/[^/?]+$/)
      await page.locator('[data-test=case-name]', { hasText: name }).waitFor()
      await page.locator('[data-test=case-stage]', { hasText: '入党申请人' }).waitFor()

      // Steps 2 to 6 on today's date (the form's default), the people where a step has them.
      const people = { 2: ['王书记'], 5: ['张三', '李四'] }
      let activistDay = ''
      for (const n of [2, 3, 4, 5, 6]) {
        await page.locator('[data-test=step-next]', { hasText: `第${n}步` }).waitFor()
        if (n === 3) activistDay = await inputOf(page, 'step-date').inputValue()
        for (const [i, who] of (people[n] ?? []).entries()) await inputOf(page, `step-person-${i}`).fill(who)
        await page.locator('[data-test=step-submit]').click()
        await page.locator('[data-test=step-next]', { hasText: `第${n + 1}步` }).waitFor()
        if (n === 3) {
          await page.locator('[data-test=case-stage]', { hasText: '入党积极分子' }).waitFor()
          await shot(page, 'v-activist')
        }
      }
      // A development target only after a year as activist: refused, with the rule and the first date.
      await page.locator('[data-test=step-submit]').click()
      const refusal = page.locator('[data-test=step-refusal]')
      await refusal.waitFor()
      const text = await refusal.innerText()
      assert(text.includes('不能登记') && text.includes('1年以上培养教育'), `refusal reads: ${text}`)
      assert(text.includes('recruit.activist_min_years'), `refusal names no rule: ${text}`)
      const yearLater = `${Number(activistDay.slice(0, 4)) + 1}${activistDay.slice(4)}`
      await page.locator('[data-test=step-first-allowed]', { hasText: yearLater }).waitFor()
      await page.locator('[data-test=case-stage]', { hasText: '入党积极分子' }).waitFor()
      await shot(page, 'v-refused')
      await page.goto(`${BASE_URL}/recruitment?org=${orgId}&stage=activist`)
      await page.locator('[data-test=recruitment-table]', { hasText: name }).waitFor()
    })
  })

  return failed ? 1 : 0
}

let code = 1
try {
  code = await main()
} catch (e) {
  failed++
  console.log(`FAIL setup: ${e?.message ?? e}`)
  code = 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(code || (failed ? 1 : 0))
