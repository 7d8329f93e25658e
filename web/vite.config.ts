/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

const backend = 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Element Plus on demand: only the components we use end up in the bundle (about half the full size).
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: 'auto-imports.d.ts',
    }),
    Components({
      // Our own components are imported explicitly; only Element Plus is resolved by name.
      dirs: [],
      resolvers: [ElementPlusResolver()],
      dts: 'components.d.ts',
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Separate vendor chunks keep each under Vite's 500 kB warning and cache well across releases.
        // Higher priority captures first; Vue goes first so it is not pulled into a library's chunk as a
        // dependency, and ECharts' renderer (zrender) gets its own chunk to stay under the limit.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|pinia)[\\/]/, priority: 50 },
            { name: 'zrender', test: /node_modules[\\/]zrender[\\/]/, priority: 40 },
            { name: 'echarts', test: /node_modules[\\/]echarts[\\/]/, priority: 30 },
            { name: 'vendor', test: /node_modules[\\/](?!element-plus|@element-plus|echarts|zrender)/, priority: 20 },
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    server: { deps: { inline: ['element-plus'] } },
  },
})
