import type { FormRules } from 'element-plus'

/**
 * The rules of a password change (in the profile, or on the login page after a reset): the current or
 * one-time password (`oldMessage` when missing), a new one of the length the server asks for, typed twice.
 */
export function passwordChangeRules(form: { new_password: string }, oldMessage: string): FormRules {
  return {
    old_password: [{ required: true, message: oldMessage, trigger: 'blur' }],
    new_password: [
      { required: true, message: '请输入新密码', trigger: 'blur' },
      { min: 10, message: '新密码至少10位，含大写字母、小写字母、数字、符号中的三类', trigger: 'blur' },
    ],
    confirm: [
      {
        validator: (_r, v: string, cb) => (v === form.new_password ? cb() : cb(new Error('两次输入的新密码不一致'))),
        trigger: 'blur',
      },
    ],
  }
}
