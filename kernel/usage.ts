/**
 * usage_reply content in the shape ipykernel 7 sends it (hostname, pid, kernel_cpu,
 * kernel_memory, host_cpu_percent, cpu_count, host_virtual_memory), which JupyterLab's
 * resource indicators (jupyter-resource-usage) read. CPU figures are percentages since the
 * previous request, like psutil's cpu_percent(interval=None); memory is in bytes.
 */
import * as fs from "fs";
import * as os from "os";
import { childPids } from "./children";

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every common build). */
const CLOCK_TICKS = 100;

interface CpuSample {
  /** Seconds of CPU used by the kernel and its descendants. */
  kernel: number;
  /** Busy and total CPU time over all cores (os.cpus()), in ms. */
  hostBusy: number;
  hostTotal: number;
  /** Wall clock (ms). */
  at: number;
}

function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const child of childPids(pid)) found.push(child, ...descendants(child));
  return found;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined; // it exited, or this is not Linux
  }
}

/** utime + stime of another process in seconds (Linux), 0 where unknown. */
function procCpuSeconds(pid: number): number {
  const stat = readProc(pid, "stat");
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Proportional set size (shared pages split among sharers) when Linux reports it, else RSS. */
function procMemory(pid: number): number {
  const rollup = readProc(pid, "smaps_rollup");
  const pss = rollup && /^Pss:\s+(\d+) kB/m.exec(rollup);
  if (pss) return Number(pss[1]) * 1024;
  const status = readProc(pid, "status");
  const rss = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
  return rss ? Number(rss[1]) * 1024 : 0;
}

function hostTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const sum = times.user + times.nice + times.sys + times.idle + times.irq;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

/** psutil.virtual_memory()'s fields, from /proc/meminfo on Linux, from os elsewhere. */
export function virtualMemory(): Record<string, number> {
  const total = os.totalmem();
  let info: string | undefined;
  try {
    info = fs.readFileSync("/proc/meminfo", "utf8");
  } catch {
    info = undefined;
  }
  if (!info) {
    const free = os.freemem();
    return { total, available: free, percent: round1(((total - free) / total) * 100), used: total - free, free };
  }
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(info!)?.[1] ?? 0) * 1024;
  const free = kb("MemFree");
  const buffers = kb("Buffers");
  const cached = kb("Cached") + kb("SReclaimable");
  const available = kb("MemAvailable") || free + buffers + cached;
  const used = total - free - buffers - cached;
  return {
    total,
    available,
    percent: round1(((total - available) / total) * 100),
    used: used < 0 ? total - free : used,
    free,
    active: kb("Active"),
    inactive: kb("Inactive"),
    buffers,
    cached,
    shared: kb("Shmem"),
    slab: kb("Slab"),
  };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Answers usage_request; keeps the previous sample so CPU is measured between requests. */
export class UsageSampler {
  private previous: CpuSample | undefined;

  reply(): Record<string, unknown> {
    const kernelPids = descendants(process.pid);
    const host = hostTimes();
    const { user, system } = process.cpuUsage();
    const sample: CpuSample = {
      kernel: (user + system) / 1e6 + kernelPids.reduce((sum, pid) => sum + procCpuSeconds(pid), 0),
      hostBusy: host.busy,
      hostTotal: host.total,
      at: Date.now(),
    };
    const before = this.previous;
    // /proc/stat counts in ticks of 10 ms: a request within the same tick keeps the older
    // sample, so the next one measures over a longer interval instead of none.
    if (!before || sample.hostTotal > before.hostTotal) this.previous = sample;
    const selfMemory = process.platform === "linux" ? procMemory(process.pid) : 0;
    const content: Record<string, unknown> = {
      hostname: os.hostname(),
      pid: process.pid,
      // Percent of one core, summed over processes (as psutil counts): 0 on the first request.
      kernel_cpu: before && sample.at > before.at ? round1(((sample.kernel - before.kernel) * 1000 * 100) / (sample.at - before.at)) : 0,
      kernel_memory: (selfMemory || process.memoryUsage.rss()) + kernelPids.reduce((sum, pid) => sum + procMemory(pid), 0),
      cpu_count: os.cpus().length,
      host_virtual_memory: virtualMemory(),
    };
    // ipykernel leaves host_cpu_percent out when it has no measurement yet (the first request).
    if (before && sample.hostTotal > before.hostTotal) {
      content.host_cpu_percent = round1(((sample.hostBusy - before.hostBusy) / (sample.hostTotal - before.hostTotal)) * 100);
    }
    return content;
  }
}
