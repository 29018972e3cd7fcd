import messages from './messages.js';

export default (app) => {
  app.use('/api/messages', messages);
  app.get('/api/health', (req, res) => res.json({ ok: true }));
};
