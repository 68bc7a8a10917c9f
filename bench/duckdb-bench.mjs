// The same work in DuckDB, as a researcher would do it today, for `make bench`.
//
//   node bench/duckdb-bench.mjs SPEC.json FILE.csv[.gz] OUT_PREFIX MODE [RUNS]
//
// MODE "read": time (RUNS runs, default 3) reading the CSV and computing, per org x WRES
// ethnicity group (White, BME, Unknown), n and positive answers for every item
// in one query.  MODE "table": load the CSV into a table once, then time (3
// runs) the same aggregate over the loaded table.  Prints one line per run,
// "run K wall_s", and writes the counts of the last run to OUT_PREFIX.counts.csv
// as "org,group,item,n,positive" so bench/compare-counts.py can check them
// against candour's.  DuckDB uses both cores (threads=2).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';

const [specPath, csvPath, outPrefix, mode, runsArg] = process.argv.slice(2);
const runs = runsArg ? Number(runsArg) : 3;
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const ident = (s) => '"' + s.replaceAll('"', '""') + '"';
const list = (xs) => xs.map(q).join(', ');

// Blank answers are NULL in DuckDB; "Don't know" (missing=) is not
// substantive.  sum(CASE ...) is the fastest of the forms tried here on
// DuckDB 1.5 (count(*) FILTER (WHERE ...) took 4.5x longer, sum((... IN
// ...)::INT) 1.3x longer), so DuckDB gets its best showing.
const aggregates = spec.items.flatMap((it) => {
  const col = ident(it.code);
  const answered = it.missing.length ? `${col} IS NOT NULL AND ${col} NOT IN (${list(it.missing)})` : `${col} IS NOT NULL`;
  return [`sum(CASE WHEN ${answered} THEN 1 ELSE 0 END) AS ${ident('n_' + it.id)}`,
          `sum(CASE WHEN ${col} IN (${list(it.positive)}) THEN 1 ELSE 0 END) AS ${ident('p_' + it.id)}`];
});
const groupExpr = `CASE WHEN ${ident(spec.ethnicity)} IS NULL THEN 'Unknown' ` +
  `WHEN ${ident(spec.ethnicity)} IN (${list(spec.white)}) THEN 'White' ELSE 'BME' END`;
const query = (from) => `SELECT ${ident(spec.org)} AS org, ${groupExpr} AS grp, ${aggregates.join(', ')} ` +
  `FROM ${from} GROUP BY ALL`;
const source = `read_csv(${q(csvPath)}, header = true, all_varchar = true)`;

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await instance.connect();

async function timed(sql) {
  const t0 = process.hrtime.bigint();
  const reader = await con.runAndReadAll(sql);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { wall, reader };
}

let last;
if (mode === 'table') {
  const load = await timed(`CREATE TABLE survey AS SELECT * FROM ${source}`);
  console.log(`load ${load.wall.toFixed(3)}`);
}
for (let run = 1; run <= runs; run++) {
  last = await timed(query(mode === 'table' ? 'survey' : source));
  console.log(`run ${run} ${last.wall.toFixed(3)}`);
}

const rows = last.reader.getRowsJS();
const lines = ['org,group,item,n,positive'];
for (const r of rows) {
  spec.items.forEach((it, k) => lines.push(`${r[0]},${r[1]},${it.id},${r[2 + 2 * k]},${r[3 + 2 * k]}`));
}
writeFileSync(`${outPrefix}.counts.csv`, lines.join('\n') + '\n');
