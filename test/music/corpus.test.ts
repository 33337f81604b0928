import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { CorpusNotFoundError, LAB_CORPUS, loadLabSongs, locateLabCorpus } from "../../lib/music";
import { DisplayHost, DISPLAY, MimeBundle, setDisplayHost } from "../../lib/runtime";
import { dataDir } from "./helpers";

/** A local HTTP server standing in for the course's file host (no internet needed). */
async function serve(body: Buffer, status = 200): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(status, { "Content-Type": "text/plain", "Content-Length": String(body.length) });
    // Two writes, so that progress is reported more than once.
    const half = Math.floor(body.length / 2);
    res.write(body.subarray(0, half));
    setTimeout(() => res.end(body.subarray(half)), 5);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/irish.abc`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("music/corpus: finding, downloading and caching irish.abc", () => {
  let tmp: string;
  let emptyData: string;
  let cache: string;
  const corpus = fs.readFileSync(path.join(dataDir(), "irish.abc"));

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-corpus-"));
    emptyData = path.join(tmp, "data");
    cache = path.join(tmp, "cache");
    fs.mkdirSync(emptyData);
  });
  afterEach(() => {
    setDisplayHost(undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("uses an explicit path first and refuses a missing one, naming it", async () => {
    const file = path.join(dataDir(), "irish.abc");
    expect(await locateLabCorpus({ path: file })).to.equal(file);
    const missing = path.join(tmp, "nope.abc");
    const err = await locateLabCorpus({ path: missing }).catch((e) => e);
    expect(err).to.be.instanceOf(CorpusNotFoundError);
    expect(err.message).to.contain(missing);
  });

  it("uses $SEQLAB_DATA_DIR when no path is given", async () => {
    const saved = process.env.SEQLAB_DATA_DIR;
    process.env.SEQLAB_DATA_DIR = dataDir();
    try {
      expect(await locateLabCorpus({ cacheDir: cache, download: false })).to.equal(path.resolve(dataDir(), "irish.abc"));
    } finally {
      process.env.SEQLAB_DATA_DIR = saved;
    }
  });

  it("lists every place looked when nothing is found and downloading is off", async () => {
    const err = await locateLabCorpus({ dataDir: emptyData, cacheDir: cache, download: false }).catch((e) => e);
    expect(err).to.be.instanceOf(CorpusNotFoundError);
    expect(err.message).to.contain(path.join(emptyData, "irish.abc"));
    expect(err.message).to.contain(path.join(cache, "irish.abc"));
    expect(err.message).to.match(/SEQLAB_DATA_DIR/);
  });

  it("downloads, verifies and caches the file, then reads the cache without the network", async () => {
    const server = await serve(corpus);
    try {
      const progress: { received: number; total: number | undefined }[] = [];
      const opts = { dataDir: emptyData, cacheDir: cache, url: server.url, onProgress: (p: { received: number; total: number | undefined }) => progress.push(p) };
      const lab = await loadLabSongs(opts);
      expect(lab.songs).to.have.length(817);
      expect(lab.path).to.equal(path.join(cache, "irish.abc"));
      expect(fs.readFileSync(lab.path).equals(corpus)).to.equal(true);
      expect(progress.length).to.be.greaterThan(1);
      expect(progress[progress.length - 1]).to.deep.equal({ received: corpus.length, total: corpus.length });
      expect(server.hits()).to.equal(1);
      await loadLabSongs(opts);
      expect(server.hits()).to.equal(1);
      // A damaged cache is replaced by a fresh download.
      fs.writeFileSync(lab.path, "garbage");
      await loadLabSongs(opts);
      expect(server.hits()).to.equal(2);
      expect(fs.readFileSync(lab.path).equals(corpus)).to.equal(true);
    } finally {
      await server.close();
    }
  });

  it("rejects a download whose sha256 differs and stores nothing", async () => {
    const server = await serve(Buffer.from("<html>not the corpus</html>"));
    try {
      const err = await locateLabCorpus({ dataDir: emptyData, cacheDir: cache, url: server.url, onProgress: () => {} }).catch((e) => e);
      expect(err).to.be.instanceOf(CorpusNotFoundError);
      expect(err.message).to.contain("sha256");
      expect(err.message).to.contain(LAB_CORPUS.sha256);
      expect(fs.existsSync(path.join(cache, "irish.abc"))).to.equal(false);
    } finally {
      await server.close();
    }
  });

  it("reports an HTTP error with the places looked", async () => {
    const server = await serve(Buffer.from("missing"), 404);
    try {
      const err = await locateLabCorpus({ dataDir: emptyData, cacheDir: cache, url: server.url, onProgress: () => {} }).catch((e) => e);
      expect(err.message).to.match(/HTTP 404/);
      expect(err.message).to.contain(path.join(cache, "irish.abc"));
    } finally {
      await server.close();
    }
  });

  it("shows a progress bar through the display host while downloading", async () => {
    const shown: unknown[] = [];
    let updates = 0;
    const host: DisplayHost = {
      display(value) {
        shown.push(value);
        return { update: () => void updates++ };
      },
    };
    setDisplayHost(host);
    const server = await serve(corpus);
    try {
      await locateLabCorpus({ dataDir: emptyData, cacheDir: cache, url: server.url });
    } finally {
      await server.close();
    }
    expect(shown).to.have.length(1);
    const bundle = (shown[0] as { [DISPLAY](): MimeBundle })[DISPLAY]();
    expect(String(bundle["text/html"])).to.contain("<progress");
    // The final view shows the whole file (about 193 KB) as done.
    expect(String(bundle["text/plain"])).to.match(/ (192\.\d+)\/\1 KB/);
    expect(String(bundle["text/plain"])).to.contain("done");
  });
});
