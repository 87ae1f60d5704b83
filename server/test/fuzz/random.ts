import { LANGUAGE_ID, pickDoc, type Lang } from './corpus';
import { generateEdit } from './edits';
import type { Recorder, Reference } from './executor';
import { Session } from './executor';
import type { Op } from './ops';
import { Rng } from './prng';
import { DocModel } from './text-model';

export interface RandomOptions {
  seed: number;
  edits: number;
  langs: readonly Lang[];
  budgetMs: number;
  compareEvery: number;
  /** Documents open at once in the server (races interleave them). */
  docs: number;
  /** Documents grow up to about this size; only targeted scenarios go beyond. */
  maxDocChars: number;
  progress?: (line: string) => void;
}

const ONLY: readonly (string[] | undefined)[] = [undefined, undefined, ['quickfix'], ['source.fixAll.headroom'], ['source'], ['quickfix', 'source.fixAll.headroom'], ['refactor']];

/**
 * The random phase: one server (restarted only after a crash or a hang), a few open documents,
 * `edits` didChange notifications with pulls, races, code actions and applied fixes between them,
 * and a comparison with a fresh server every `compareEvery` edits and at the end.
 */
export async function randomPhase(opts: RandomOptions, rec: Recorder, ref: Reference): Promise<void> {
  const r = new Rng(opts.seed).fork('random');
  const session = new Session(rec, ref, { budgetMs: opts.budgetMs, phase: 'random' });
  await session.start();
  const langOf = new Map<string, Lang>();
  let serial = 0;
  const open = async () => {
    const lang = r.pick(opts.langs);
    const doc = pickDoc(r, lang);
    const uri = `file:///fuzz/seed-${opts.seed}/${serial++}/${doc.name}`;
    langOf.set(uri, lang);
    await session.run({ op: 'open', uri, languageId: LANGUAGE_ID[lang], version: 1, text: doc.text });
  };
  const start = rec.stats.edits;
  let sinceCompare = 0;
  const edited = new Set<string>();
  let failuresSeen = rec.total;
  let lastProgress = Date.now();
  try {
    while (rec.stats.edits - start < opts.edits) {
      if (session.broken) {
        // The text that hung or crashed it is left behind: the new server gets new documents.
        await session.restart();
        edited.clear();
      }
      while (session.models.size < opts.docs) await open();
      const uris = [...session.models.keys()];
      const uri = r.pick(uris);
      const m = session.models.get(uri)!;
      const lang = langOf.get(uri)!;
      session.opts.lang = lang;
      // Edits are generated against `models`; a race's edits against scratch copies, each after the previous one.
      const editIn = (models: Map<string, DocModel>) => (target = uri): Op => {
        const tm = models.get(target)!;
        const e = generateEdit(r, tm, langOf.get(target)!, { maxChars: opts.maxDocChars, hugeLine: 0.01 });
        const op: Op = { op: 'change', uri: target, version: tm.version + 1, changes: e.changes };
        if (models !== session.models) tm.apply(e.changes, tm.version + 1);
        return op;
      };
      const edit = editIn(session.models);
      const action = r.weighted<string>([[55, 'edit-pull'], [10, 'burst'], [8, 'edit'], [10, 'race'], [8, 'code-action'], [3, 'fix'], [1, 'reopen']]);
      switch (action) {
        case 'edit-pull':
          await session.run(edit());
          await session.run({ op: 'pull', uri, previous: r.chance(0.7) });
          break;
        case 'burst':
          for (let i = r.between(2, 6); i > 0; i--) await session.run(edit());
          await session.run({ op: 'pull', uri, previous: r.chance(0.7) });
          break;
        case 'edit':
          await session.run(edit());
          break;
        case 'race':
          const scratch = new Map(uris.map((u) => { const x = session.models.get(u)!; return [u, new DocModel(u, x.languageId, x.version, x.text)]; }));
          await session.run({ op: 'race', ops: raceOps(r, uri, uris, editIn(scratch)) });
          break;
        case 'code-action': {
          const useDiag = r.chance(0.7);
          const a = m.positionAt(r.int(m.text.length + 1));
          const b = m.positionAt(r.int(m.text.length + 1));
          await session.run({ op: 'codeAction', uri, ...(useDiag ? { diag: r.int(50) } : { range: a.line < b.line || (a.line === b.line && a.character <= b.character) ? { start: a, end: b } : { start: b, end: a } }), only: r.pick(ONLY) });
          break;
        }
        case 'fix':
          await session.run({ op: 'applyFix', uri, diag: r.int(50), action: r.int(10), fixAll: r.chance(0.2) });
          break;
        case 'reopen':
          await session.run({ op: 'close', uri });
          await open();
          break;
      }
      edited.add(uri);
      sinceCompare++;
      if (sinceCompare >= opts.compareEvery) {
        sinceCompare = 0;
        for (const u of edited) if (session.models.has(u)) await session.run({ op: 'compare', uri: u });
        edited.clear();
      }
      if (rec.total > failuresSeen && !session.broken) {
        // The server's copy may now be wrong: reopen everything so one bug is not counted at every later step.
        failuresSeen = rec.total;
        for (const [u, dm] of [...session.models]) {
          await session.run({ op: 'close', uri: u });
          await session.run({ op: 'open', uri: u, languageId: dm.languageId, version: dm.version, text: dm.text });
        }
      }
      if (opts.progress && Date.now() - lastProgress > 10000) {
        lastProgress = Date.now();
        opts.progress(`  random: ${rec.stats.edits - start}/${opts.edits} edits, ${rec.total} failures`);
      }
    }
    if (!session.broken) for (const u of [...session.models.keys()]) await session.run({ op: 'compare', uri: u });
  } finally {
    session.dispose();
  }
}

/** A burst sent in one write: pulls overtaken by edits (of their own or another document), code actions in between, cancellations. */
function raceOps(r: Rng, uri: string, uris: string[], edit: (target?: string) => Op): Op[] {
  const other = uris.find((u) => u !== uri);
  const shape = r.int(6);
  switch (shape) {
    case 0:
      return [{ op: 'pull', uri }, edit(), { op: 'pull', uri }];
    case 1:
      // The shape: the pull's own edit comes after another document's.
      return other ? [{ op: 'pull', uri }, edit(other), edit()] : [{ op: 'pull', uri }, edit(), edit()];
    case 2:
      return [{ op: 'pull', uri, previous: true }, edit(), { op: 'codeAction', uri, diag: r.int(20) }, edit(), { op: 'pull', uri, previous: true }];
    case 3:
      return [{ op: 'pull', uri, cancel: true }, edit(), { op: 'pull', uri }];
    case 4:
      return [{ op: 'codeAction', uri, diag: r.int(20), only: r.chance(0.5) ? ['quickfix'] : undefined }, edit(), { op: 'pull', uri }];
    default:
      return other ? [{ op: 'pull', uri }, { op: 'pull', uri: other }, edit(other), edit(), edit(other)] : [{ op: 'pull', uri }, edit()];
  }
}
