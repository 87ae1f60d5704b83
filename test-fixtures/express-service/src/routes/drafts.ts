import { Router, type Request, type Response } from 'express';

// Drafts of a post being written, kept between requests.
const drafts = new Map<string, { title: string; body: string }>(); // expect: in-process-shared-state

export const draftRoutes = Router();

draftRoutes.put('/drafts/:id', (req: Request, res: Response) => {
  drafts.set(req.params.id, { title: String(req.body.title ?? ''), body: String(req.body.body ?? '') });
  res.sendStatus(204);
});

draftRoutes.get('/drafts/:id', (req: Request, res: Response) => {
  const draft = drafts.get(req.params.id);
  if (!draft) {
    res.sendStatus(404);
    return;
  }
  res.json(draft);
});
