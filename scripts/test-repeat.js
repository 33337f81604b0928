#!/usr/bin/env node
// Run the compiled test suite several times, optionally in a shuffled file order or with each
// file in a process of its own, and report every test that failed in any run: a test that
// fails only sometimes, or only after certain other files, is a flake to fix.
//
//   node scripts/test-repeat.js --runs 5 --shuffle          # 5 runs, a new file order each
//   node scripts/test-repeat.js --runs 1 --shuffle --seed 7 # replay the order of seed 7
//   node scripts/test-repeat.js --alone                     # every file in its own process
//
// Needs a build (npm run build). Each run's mocha output goes to build/test-repeat/.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const testDir = path.join(root, "dist", "test");
const rel = (f) => path.relative(root, f);

const USAGE = `usage: node scripts/test-repeat.js [--runs N] [--shuffle] [--seed S] [--alone] [--out DIR] [FILE...]
  --runs N    run the suite N times (default 1)
  --shuffle   a new file order per run, drawn from seed S+run-1 (printed, to replay one run)
  --seed S    base seed for --shuffle (default: from the clock)
  --alone     run each file in a mocha process of its own (no file sees another's state)
  --out DIR   where each run's mocha output goes (default build/test-repeat/<time>)
  FILE...     compiled test files to run (default: every dist/test/**/*.test.js)`;

function parseArgs(argv) {
  const opts = { runs: 1, shuffle: false, seed: undefined, alone: false, out: undefined, files: [] };
  const intValue = (flag, v) => {
    if (!/^\d+$/.test(v ?? "")) throw new Error(`${flag} needs a non-negative integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") opts.runs = intValue(a, argv[++i]);
    else if (a === "--seed") opts.seed = intValue(a, argv[++i]);
    else if (a === "--shuffle") opts.shuffle = true;
    else if (a === "--alone") opts.alone = true;
    else if (a === "--out") opts.out = argv[++i];
    else if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else opts.files.push(path.resolve(a));
  }
  if (opts.runs < 1) throw new Error("--runs must be at least 1");
  if (opts.seed !== undefined && !opts.shuffle) throw new Error("--seed only chooses the order of --shuffle; add --shuffle");
  return opts;
}

/** Every *.test.js under dir, sorted (mocha's default order). */
function findTests(dir) {
  if (!fs.existsSync(dir)) throw new Error(`${path.relative(root, dir)} not found: build first (npm run build)`);
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith(".test.js")) out.push(p);
  }
  return out.sort();
}

/**
 * One mocha process over `files` in that order. Its json-stream reporter writes one line per
 * test, so the tests that finished still count when the process dies part way.
 */
function runMocha(files, logFile) {
  const args = [
    path.join(root, "node_modules", "mocha", "bin", "mocha.js"),
    "--no-config", "--require", path.join(testDir, "setup.js"), "--timeout", "60000", "--exit",
    "--reporter", "json-stream",
    ...files,
  ];
  const log = fs.openSync(logFile, "w");
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const report = { passes: 0, failures: [], ended: false };
  let last = "";
  for (const line of fs.readFileSync(logFile, "utf8").split("\n")) {
    // Test output shares stdout, so an event may follow other text on its line.
    const at = line.search(/\["(pass|fail|end)",/);
    if (at < 0) continue;
    const [event, data] = JSON.parse(line.slice(at));
    if (event === "pass") report.passes++;
    if (event === "fail") report.failures.push(data);
    if (event === "end") report.ended = true;
    else last = data.fullTitle;
  }
  if (!report.ended) {
    const why = result.error ? result.error.message : `exit code ${result.status}, signal ${result.signal}`;
    report.crashed = `mocha ended early (${why}) after "${last}"; see ${rel(logFile)}`;
  }
  return report;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = opts.files.length ? opts.files : findTests(testDir);
  const { makeRng } = require(path.join(root, "dist", "lib", "random.js"));
  const baseSeed = opts.seed ?? Date.now() % 1_000_000;
  const outDir = opts.out ?? path.join(root, "build", "test-repeat", new Date().toISOString().replace(/[:.]/g, "-"));
  fs.mkdirSync(outDir, { recursive: true });
  process.stdout.write(`${files.length} test files, ${opts.runs} run(s)${opts.alone ? ", each file alone" : ""}; output in ${rel(outDir)}\n`);

  /** key "file: full title" -> { runs: [run numbers], message, replays: [command per failed run] } */
  const failures = new Map();
  const crashes = [];
  const record = (run, test, replay) => {
    const key = `${rel(test.file ?? "?")}: ${test.fullTitle}`;
    const entry = failures.get(key) ?? { runs: [], message: String(test.err ?? "").split("\n")[0], replays: [] };
    entry.runs.push(run);
    entry.replays.push(replay);
    failures.set(key, entry);
  };
  const chosenFiles = opts.files.length ? ` ${opts.files.map(rel).join(" ")}` : "";

  for (let run = 1; run <= opts.runs; run++) {
    const seed = baseSeed + run - 1;
    const order = opts.shuffle ? makeRng(seed).shuffle(files) : files;
    const replay = `node scripts/test-repeat.js${opts.alone ? " --alone" : ""}${opts.shuffle ? ` --shuffle --seed ${seed}` : ""}${chosenFiles}`;
    const started = Date.now();
    // --alone: one process per file; otherwise the whole order in one process.
    const groups = opts.alone ? order.map((f) => [f]) : [order];
    let passes = 0, failed = 0, crashed = 0;
    groups.forEach((group, g) => {
      const report = runMocha(group, path.join(outDir, `run-${run}${opts.alone ? `-${g + 1}` : ""}.log`));
      passes += report.passes;
      failed += report.failures.length;
      for (const t of report.failures) record(run, t, opts.alone ? `node scripts/test-repeat.js ${rel(group[0])}` : replay);
      if (report.crashed) {
        crashed++;
        crashes.push(`run ${run}: ${report.crashed}\n  replay: ${opts.alone ? `node scripts/test-repeat.js ${rel(group[0])}` : replay}`);
      }
    });
    const secs = Math.round((Date.now() - started) / 1000);
    const ended = crashed ? `, ${crashed} mocha process(es) ended early` : "";
    process.stdout.write(`run ${run}/${opts.runs}${opts.shuffle ? ` (seed ${seed})` : ""}: ${passes} passing, ${failed} failing${ended}, ${secs} s\n`);
  }

  if (!failures.size && !crashes.length) {
    process.stdout.write(`no test failed in ${opts.runs} run(s)\n`);
    return 0;
  }
  if (failures.size) process.stdout.write(`\n${failures.size} test(s) failed at least once:\n`);
  for (const [key, e] of failures) {
    process.stdout.write(`- ${key}\n  failed in run(s) ${e.runs.join(", ")} of ${opts.runs}: ${e.message}\n`);
    for (const r of new Set(e.replays)) process.stdout.write(`  replay: ${r}\n`);
  }
  if (crashes.length) process.stdout.write(`\n${crashes.length} mocha process(es) ended before their last test (the tests after that point did not run):\n`);
  for (const c of crashes) process.stdout.write(`- ${c}\n`);
  return 1;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`test-repeat: ${err.message}\n${USAGE}\n`);
  process.exitCode = 2;
}
