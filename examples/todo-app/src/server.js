import { createServer } from 'node:http';
import { createApp } from './app.js';
import { createTodoStore } from './todo-store.js';

const port = Number(process.env.PORT ?? 3000);
createServer(createApp(createTodoStore())).listen(port, () => {
  console.log(`todo app on http://localhost:${port}`);
});
