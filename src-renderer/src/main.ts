import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { connectWorkbench } from './api/workbench'
import './styles/base.css'

const connected = connectWorkbench() !== null
createApp(App, { connected }).use(createPinia()).mount('#app')
