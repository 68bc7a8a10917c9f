// The same work in DuckDB, as a researcher would do it today, for `make bench`.
//
//   node bench/duckdb-bench.mjs SPEC.json FILE.csv[.gz] OUT_PREFIX MODE [RUNS]
//   node bench/duckdb-bench.mjs SPEC.json PROPORTIONS.csv OUT_PREFIX compare
//
// MODE "read": time (RUNS runs, default 3) reading the CSV and computing, per org x WRES
// ethnicity group (White, BME, Unknown), n and positive answers for every item
// in one query.  MODE "table": load the CSV into a table once, then time (RUNS
// runs) the same aggregate over the loaded table, and then (RUNS runs) "the
// same work" as candour-stats' proportions table: one GROUPING SETS aggregate
// over every scope (org, benchmarking group, ALL) x grouping (all, each
// demographic, directorate and team inside an org) x item, unpivoted to one
// row per cell and item with n, positive, estimate and the Wilson 95%
// interval, written with COPY to OUT_PREFIX.same.csv.  Prints one line per
// run, "run K wall_s" or "same K wall_s", and writes the counts of the last
// aggregate to OUT_PREFIX.counts.csv as "org,group,item,n,positive" so
// bench.py can check them against candour's.  DuckDB uses both cores
// (threads=2).  MODE "compare": join candour's proportions.csv with
// OUT_PREFIX.same.csv and print "shown N", "agree N" (n and positive equal,
// estimate and interval within 1e-12), "missing N" (DuckDB cells with answers
// that candour has no row for) and the first disagreement, if any.
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

// Wilson's score interval, the textbook form, at 95%.
const Z = 1.959963984540054;
const wilson = (sign) => `CASE WHEN n > 0 THEN (positive / n + ${Z * Z} / (2 * n) ${sign} ` +
  `${Z} * sqrt(positive / n * (1 - positive / n) / n + ${Z * Z} / (4 * n * n))) / (1 + ${Z * Z} / n) END`;

// The same work as candour's proportions table.  Demographic groups are
// exhaustive (a blank answer is Unknown); units exist inside an org only,
// a team within its directorate (the unit before it in spec.units).
function sameWorkQuery(outPath) {
  const demos = [['ethnicity', groupExpr]].concat(
    spec.demographics.map(([col, name]) => [name, `coalesce(${ident(col)}, 'Unknown')`]));
  const units = spec.units.map(([col, name]) => [name, ident(col)]);
  const dim = (name) => ident('d_' + name);
  const columns = [`${ident(spec.period)} AS period`, `${ident(spec.org)} AS org`,
    `${ident(spec.bgroup)} AS bg`]
    .concat(demos.map(([name, e]) => `${e} AS ${dim(name)}`))
    .concat(units.map(([name, e]) => `${e} AS ${dim(name)}`));
  const answered = (it) => it.missing.length
    ? `(${ident(it.code)} IS NOT NULL AND ${ident(it.code)} NOT IN (${list(it.missing)}))`
    : `${ident(it.code)} IS NOT NULL`;
  const positive = (it) => `${ident(it.code)} IN (${list(it.positive)})`;
  const byId = Object.fromEntries(spec.items.map((it) => [it.id, it]));
  const measures = spec.items.map((it) => [it.id, answered(it), positive(it)]).concat(
    spec.derived.map((d) => [d.id, d.any_of.map((id) => answered(byId[id])).join(' OR '),
                             d.any_of.map((id) => positive(byId[id])).join(' OR ')]));
  const sums = measures.flatMap(([id, a, p]) => [
    `sum(CASE WHEN ${a} THEN 1 ELSE 0 END) AS ${ident('n_' + id)}`,
    `sum(CASE WHEN ${p} THEN 1 ELSE 0 END) AS ${ident('p_' + id)}`]);
  const sets = [];
  for (const scope of ['org', 'bg', null]) {
    const base = ['period'].concat(scope ? [scope] : []);
    sets.push(base);
    for (const [name] of demos) sets.push(base.concat([dim(name)]));
    if (scope === 'org')
      units.forEach((_, k) => sets.push(base.concat(units.slice(0, k + 1).map(([name]) => dim(name)))));
  }
  const grouped = (name) => `GROUPING(${dim(name)}) = 0`;
  const dimCase = demos.concat(units.slice().reverse()).map(([name]) =>
    `WHEN ${grouped(name)} THEN ${q(name)}`).join(' ');
  const groupCase = demos.concat(units.slice().reverse()).map(([name]) =>
    `WHEN ${grouped(name)} THEN ${dim(name)}`).join(' ');
  const parentCase = units.slice(1).map(([name], k) =>
    `WHEN ${grouped(name)} THEN ${dim(units[k][0])}`).join(' ');
  const aggregate = `SELECT period, ` +
    `CASE WHEN GROUPING(org) = 0 THEN org WHEN GROUPING(bg) = 0 THEN 'GROUP:' || bg ELSE 'ALL' END AS scope, ` +
    `CASE ${dimCase} ELSE 'all' END AS group_dim, CASE ${groupCase} ELSE 'all' END AS grp, ` +
    `CASE ${parentCase || 'WHEN false THEN NULL'} END AS parent_group, ${sums.join(', ')} ` +
    `FROM (SELECT ${columns.join(', ')}, * FROM survey) ` +
    `GROUP BY GROUPING SETS (${sets.map((s) => '(' + s.join(', ') + ')').join(', ')}) ` +
    `HAVING (GROUPING(bg) = 1 OR bg IS NOT NULL) AND ` +
    units.map(([name]) => `(GROUPING(${dim(name)}) = 1 OR ${dim(name)} IS NOT NULL)`).join(' AND ');
  const unpivotOn = measures.map(([id]) => `(${ident('n_' + id)}, ${ident('p_' + id)}) AS ${ident(id)}`);
  return `COPY (SELECT period, scope AS org, item, group_dim, grp AS "group", parent_group, n, positive, ` +
    `CASE WHEN n > 0 THEN positive / n END AS estimate, ${wilson('-')} AS ci_lower, ` +
    `${wilson('+')} AS ci_upper ` +
    `FROM (UNPIVOT (${aggregate}) ON ${unpivotOn.join(', ')} INTO NAME item VALUE n, positive)) ` +
    `TO ${q(outPath)} (HEADER, DELIMITER ',')`;
}

// candour's shown cells against DuckDB's: joined on the cell and item.
async function compare(proportionsPath) {
  const c = `read_csv(${q(proportionsPath)}, header = true, all_varchar = true)`;
  const d = `read_csv(${q(outPrefix + '.same.csv')}, header = true, all_varchar = true)`;
  const key = ['period', 'org', 'item', 'group_dim', 'group'].map((k) => `c.${ident(k)} = d.${ident(k)}`)
    .concat([`coalesce(c.parent_group, '') = coalesce(d.parent_group, '')`]).join(' AND ');
  const near = (col) => `abs(c.${col}::DOUBLE - d.${col}::DOUBLE) <= 1e-12`;
  const agree = `c.n::DOUBLE = d.n::DOUBLE AND c.positive::DOUBLE = d.positive::DOUBLE AND ` +
    ['estimate', 'ci_lower', 'ci_upper'].map(near).join(' AND ');
  const shown = `(SELECT * FROM ${c} WHERE suppressed = 'no')`;
  const r = (await con.runAndReadAll(
    `SELECT count(*), count(*) FILTER (WHERE ${agree}) FROM ${shown} c LEFT JOIN ${d} d ON ${key}`)).getRowsJS()[0];
  const missing = (await con.runAndReadAll(
    `SELECT count(*) FROM ${d} d ANTI JOIN ${c} c ON ${key} WHERE d.n::DOUBLE > 0`)).getRowsJS()[0][0];
  console.log(`shown ${r[0]}`);
  console.log(`agree ${r[1]}`);
  console.log(`missing ${missing}`);
  if (r[0] !== r[1]) {
    const bad = (await con.runAndReadAll(
      `SELECT c.period, c.org, c.item, c.group_dim, c."group", c.n, c.positive, c.estimate, c.ci_lower, ` +
      `c.ci_upper, d.n, d.positive, d.estimate, d.ci_lower, d.ci_upper FROM ${shown} c ` +
      `LEFT JOIN ${d} d ON ${key} WHERE NOT coalesce(${agree}, false) LIMIT 1`)).getRowsJS()[0];
    console.log(`first ${JSON.stringify(bad, (k, v) => typeof v === 'bigint' ? Number(v) : v)}`);
  }
}

if (mode === 'compare') {
  await compare(csvPath);
  process.exit(0);
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
if (mode === 'table') {
  for (let run = 1; run <= runs; run++) {
    const same = await timed(sameWorkQuery(`${outPrefix}.same.csv`));
    console.log(`same ${run} ${same.wall.toFixed(3)}`);
  }
}
