/**
 * Generated backend code for the benchmark: realistic handlers with a sprinkling of findings, so
 * that the analysis does the work it does on real code (matches, predicates, facts, suppressions).
 */

export type BenchLanguage = 'python' | 'go' | 'typescript';

export const EXTENSION: Record<BenchLanguage, string> = { python: '.py', go: '.go', typescript: '.ts' };
export const LANGUAGE_ID: Record<BenchLanguage, string> = { python: 'python', go: 'go', typescript: 'typescript' };

function pythonUnit(i: number): string {
  const capped = i % 7 === 0 ? `.to_list(${1000 + i})` : `.limit(limit).to_list(length=limit)`;
  return [
    `@router.get("/items/${i}")`,
    `async def list_items_${i}(request: Request, limit: int = 20, db=Depends(get_db)):`,
    `    """Returns the items of page ${i}."""`,
    `    # headroom: items are small documents`,
    `    items = await db.items_${i % 13}.find({"owner": request.state.user_id})${capped}`,
    `    for item in items:`,
    `        item["score"] = compute_score(item, weight=${i % 5} * 2)`,
    `    if len(items) > ${i % 50}:`,
    `        logger.info("page %s has %d items", ${i}, len(items))`,
    `    return {"items": items, "page": ${i}}`,
    ``,
  ].join('\n');
}

function goUnit(i: number): string {
  const sql = i % 7 === 0 ? `"SELECT id, name FROM items_${i % 13} WHERE owner = $1 LIMIT ${1000 + i}"` : `"SELECT id, name FROM items_${i % 13} WHERE owner = $1 LIMIT $2"`;
  return [
    `// listItems${i} returns the items of page ${i}.`,
    `func (s *Server) listItems${i}(w http.ResponseWriter, r *http.Request) {`,
    `\towner := r.URL.Query().Get("owner")`,
    `\trows, err := s.db.QueryContext(r.Context(), ${sql}, owner, limit)`,
    `\tif err != nil {`,
    `\t\thttp.Error(w, err.Error(), http.StatusInternalServerError)`,
    `\t\treturn`,
    `\t}`,
    `\tdefer rows.Close()`,
    `\titems := make([]Item, 0, ${i % 50 + 1})`,
    `\tfor rows.Next() {`,
    `\t\tvar it Item`,
    `\t\tif err := rows.Scan(&it.ID, &it.Name); err != nil {`,
    `\t\t\treturn`,
    `\t\t}`,
    `\t\titems = append(items, it)`,
    `\t}`,
    `\twriteJSON(w, items)`,
    `}`,
    ``,
  ].join('\n');
}

function tsUnit(i: number): string {
  const capped = i % 7 === 0 ? `.limit(${1000 + i})` : `.limit(limit)`;
  return [
    `// Items of page ${i}.`,
    `router.get('/items/${i}', async (req: Request, res: Response) => {`,
    `  const limit = Math.min(Number(req.query.limit ?? 20), 100);`,
    `  const items = await db.collection('items_${i % 13}').find({ owner: req.user.id })${capped}.toArray();`,
    `  for (const item of items) {`,
    `    item.score = computeScore(item, ${i % 5} * 2);`,
    `  }`,
    `  if (items.length > ${i % 50}) logger.info(\`page ${i} has \${items.length} items\`);`,
    `  res.json({ items, page: ${i} });`,
    `});`,
    ``,
  ].join('\n');
}

const HEADER: Record<BenchLanguage, string> = {
  python: 'from fastapi import APIRouter, Depends, Request\n\nrouter = APIRouter()\n\n',
  go: 'package items\n\nimport (\n\t"net/http"\n)\n\n',
  typescript: "import { Router, Request, Response } from 'express';\n\nconst router = Router();\n\n",
};

const UNIT: Record<BenchLanguage, (i: number) => string> = { python: pythonUnit, go: goUnit, typescript: tsUnit };

/** A file of at least `lines` lines, made of top-level handlers. */
export function generateFile(lang: BenchLanguage, lines: number, seed = 0): string {
  let out = HEADER[lang];
  let count = out.split('\n').length;
  for (let i = seed; count < lines; i++) {
    const unit = UNIT[lang](i);
    out += unit + '\n';
    count += unit.split('\n').length;
  }
  return out;
}
