import { generateDoc } from './corpus';
import type { Op } from './ops';
import { Rng } from './prng';

/**
 * Targeted scenarios: the reproductions of issue 8 and the large inputs, run through the same
 * executor and oracle as the random phase, each on a server of its own, so the fuzzer is known to see
 * each class of bug the issue lists.
 */
export interface Scenario {
  name: string;
  lang: string;
  /** Why it is here. */
  about: string;
  ops: () => Op[];
  /** Large inputs: only with --large (on by default); they cost a budget each when the server hangs. */
  large?: boolean;
}

/** The document: a Motor client without pool settings and a capped fetch. */
export const PY = 'from motor.motor_asyncio import AsyncIOMotorClient\nclient = AsyncIOMotorClient("mongodb://x")\ndb = client.app\n\nasync def list_users():\n    return await db.users.find().to_list(1000)\n';

const at = (line: number, character: number) => ({ line, character });
const range = (l1: number, c1: number, l2: number, c2: number) => ({ start: at(l1, c1), end: at(l2, c2) });
const u = (name: string) => `file:///fuzz/targeted/${name}`;
const open = (uri: string, languageId: string, text: string, version = 1): Op => ({ op: 'open', uri, languageId, version, text });
const chain = (head: string, link: string, n: number, tail = '') => head + link.repeat(n) + tail;

export const SCENARIOS: Scenario[] = [
  {
    name: 'stale-pull-race',
    lang: 'py',
    about: 'issue 8 §3: a pull, another document\'s edit and its own edit in one write; the pull must not be answered for the replaced text',
    ops: () => {
      const x = u('race/x.py');
      const y = u('race/y.py');
      return [
        open(x, 'python', PY),
        open(y, 'python', PY),
        { op: 'pull', uri: x },
        { op: 'pull', uri: y },
        { op: 'race', ops: [{ op: 'pull', uri: x }, { op: 'change', uri: y, version: 2, changes: [{ range: range(3, 0, 3, 0), text: ' ' }] }, { op: 'change', uri: x, version: 2, changes: [{ range: range(5, 41, 5, 45), text: '10' }] }] },
      ];
    },
  },
  {
    name: 'repeated-version',
    lang: 'py',
    about: 'issue 8 §3: a didChange repeating a version number must not be answered from the previous analysis',
    ops: () => {
      const x = u('repeat/repeat.py');
      return [
        open(x, 'python', PY),
        { op: 'change', uri: x, version: 2, changes: [{ range: range(3, 0, 3, 0), text: ' ' }] },
        { op: 'pull', uri: x },
        { op: 'change', uri: x, version: 2, changes: [{ range: range(0, 0, 4, 0), text: '' }] },
        { op: 'pull', uri: x },
        { op: 'compare', uri: x },
      ];
    },
  },
  {
    name: 'version-backwards',
    lang: 'py',
    about: 'issue 8 §3: a lower version after a higher one, then the higher number again with other text',
    ops: () => {
      const x = u('backwards/back.py');
      return [
        open(x, 'python', PY, 5),
        { op: 'pull', uri: x },
        { op: 'change', uri: x, version: 3, changes: [{ range: range(3, 0, 3, 0), text: ' ' }] },
        { op: 'change', uri: x, version: 5, changes: [{ range: range(0, 0, 4, 0), text: '' }] },
        { op: 'pull', uri: x },
        { op: 'compare', uri: x },
      ];
    },
  },
  {
    name: 'go-unit-reuse',
    lang: 'go',
    about: 'issue 8 §3: closing a comment changes a unit\'s syntax but not its span; the unit must be re-run',
    ops: () => {
      const x = u('unit/x.go');
      return [
        open(x, 'go', '/*(der)plnts[]o`n}x})b=sql.Open("s",n)\n}'),
        { op: 'pull', uri: x },
        { op: 'change', uri: x, version: 2, changes: [{ range: range(0, 18, 0, 18), text: '*/' }] },
        { op: 'pull', uri: x },
        { op: 'compare', uri: x },
      ];
    },
  },
  {
    name: 'js-incremental-parse',
    lang: 'js',
    about: 'issue 8 §3: tree-sitter\'s TSX incremental parse differs from a fresh one after typing `<d>`',
    ops: () => {
      const x = u('tsx/x.js');
      return [
        open(x, 'javascript', 'await r.f.limit(100);'),
        { op: 'pull', uri: x },
        { op: 'change', uri: x, version: 2, changes: [{ range: range(0, 7, 0, 7), text: '<d>' }] },
        { op: 'pull', uri: x },
        { op: 'compare', uri: x },
      ];
    },
  },
  {
    name: 'reversed-range',
    lang: 'py',
    about: 'issue 8 §3: a change whose range starts after its end; the LSP text model swaps the ends, the server must too',
    ops: () => {
      const x = u('reversed/rev.py');
      return [
        open(x, 'python', PY),
        { op: 'pull', uri: x },
        // Selects from inside `def` to after `return`, end first, and types Enter.
        { op: 'change', uri: x, version: 2, changes: [{ range: range(5, 11, 4, 8), text: '\n' }] },
        { op: 'pull', uri: x },
        { op: 'compare', uri: x },
      ];
    },
  },
  {
    name: 'lone-cr-and-crlf',
    lang: 'py',
    about: 'LSP counts a lone CR as a line break and tree-sitter does not: edits around them must keep ranges exact',
    ops: () => {
      const x = u('cr/cr.py');
      const text = PY.replace(/\n/g, '\r').replace('db = client.app\r', 'db = client.app\r\n');
      return [
        open(x, 'python', text),
        { op: 'pull', uri: x },
        { op: 'change', uri: x, version: 2, changes: [{ range: range(3, 0, 3, 0), text: '\r\r\n# 😀\u2028\r' }] },
        { op: 'pull', uri: x },
        { op: 'change', uri: x, version: 3, changes: [{ range: range(8, 41, 8, 45), text: '2000' }] },
        { op: 'pull', uri: x },
        { op: 'compare', uri: x },
      ];
    },
  },
  {
    name: 'fix-on-duplicated-lines',
    lang: 'py',
    about: 'issue 8 §5: a quick fix must take its own finding away, also on duplicated lines and duplicated suppressions',
    ops: () => {
      const text = 'def f(q, limit):\n    rows = q.limit(limit * 2)\n    rows = q.limit(limit * 2)\n    # headroom-ignore[hardcoded-fetch-cap]\n    # headroom-ignore[hardcoded-fetch-cap]\n    return rows\n' + PY;
      const ops: Op[] = [];
      for (let d = 0; d < 5; d++) {
        for (let a = 0; a < 3; a++) {
          const x = u(`fixes/dup-${d}-${a}.py`);
          ops.push(open(x, 'python', text), { op: 'applyFix', uri: x, diag: d, action: a }, { op: 'compare', uri: x }, { op: 'close', uri: x });
        }
      }
      return ops;
    },
  },
  {
    name: 'long-call-chain-ts',
    lang: 'ts',
    large: true,
    about: 'issue 8 §2: a 4.8 KB line of `.limit(1000)` links: work on one document needs a budget',
    ops: () => [open(u('chain/chain.ts'), 'typescript', chain('const x = db.users.find()', '.limit(1000)', 400, ';\n')), { op: 'pull', uri: u('chain/chain.ts') }],
  },
  {
    name: 'long-call-chain-py',
    lang: 'py',
    large: true,
    about: 'issue 8 §2: the fuzz found a long `to_list(1000)` chain that got no answer',
    ops: () => [open(u('chain/chain.py'), 'python', chain('x = db.users.find()', '.to_list(1000)', 500, '\n')), { op: 'pull', uri: u('chain/chain.py') }],
  },
  {
    name: 'slow-document-delays-others',
    lang: 'py',
    large: true,
    about: 'issue 8 §2: a slow document never pulled must not delay the pull of a small one',
    ops: () => [
      open(u('slow/chain.ts'), 'typescript', chain('const x = db.users.find()', '.limit(1000)', 400, ';\n')),
      open(u('slow/small.py'), 'python', PY),
      { op: 'pull', uri: u('slow/small.py') },
    ],
  },
  ...(
    [
      ['lightbulb-on-a-large-file', undefined, 'the lightbulb request (no `only`) computes fix-all over every finding'],
      ['fix-all-on-save-on-a-large-file', ['source.fixAll.headroom'], 'fix-all on save has no budget'],
    ] as const
  ).map(
    ([name, only, why]): Scenario => ({
      name,
      lang: 'py',
      large: true,
      about: `issue 8 §2: ${why} (a 2,000 KB file took 24 s; this one is 600 KB, dense with findings)`,
      ops: () => {
        const x = u(`big/${name}.py`);
        // The first analysis of a file this size has a budget of its own: the code action is what is measured.
        return [open(x, 'python', largePython(600)), { op: 'pull', uri: x, budgetMs: 60000 }, { op: 'codeAction', uri: x, diag: 0, only: ['quickfix'] }, { op: 'codeAction', uri: x, diag: 0, ...(only ? { only: [...only] } : {}) }];
      },
    }),
  ),
  {
    name: 'go-quotes',
    lang: 'go',
    large: true,
    about: 'issue 8 §2: tree-sitter-go is quadratic on a file of 52,341 quotes: a keystroke must stay within budget',
    ops: () => {
      const x = u('quotes/q.go');
      return [open(x, 'go', '"'.repeat(52341)), { op: 'pull', uri: x }, { op: 'change', uri: x, version: 2, changes: [{ range: range(0, 100, 0, 100), text: '"' }] }, { op: 'pull', uri: x }];
    },
  },
];

/** Generated FastAPI handlers, about `kb` KB. */
function largePython(kb: number): string {
  let text = generateDoc(new Rng(8), 'py', 10);
  const r = new Rng(9);
  while (text.length < kb * 1024) text += generateDoc(r, 'py', 40).replace(/^[\s\S]*?router = APIRouter\(\)\n/, '');
  return text;
}
