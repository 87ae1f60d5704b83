import express from 'express';
import fs from 'node:fs';

// A package with a command that starts a server: its handlers meet traffic like any other.
const app = express();

app.get('/preview/:name', async (req, res) => {
  const html = fs.readFileSync(`/srv/previews/${req.params.name}.html`, 'utf8'); // expect: blocking-call-in-async (warning)
  res.type('html').send(html);
});

app.listen(8080);
