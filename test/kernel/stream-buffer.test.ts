import { expect } from "chai";
import { StreamBuffer } from "../../kernel/stream-buffer";

describe("kernel stream buffer", function () {
  const collect = (maxDelayMs = 1000, maxChars = 1000) => {
    const sent: [string, string][] = [];
    const buffer = new StreamBuffer((name, text) => sent.push([name, text]), maxDelayMs, maxChars);
    return { sent, buffer };
  };

  it("sends the first write at once and joins the writes that follow closely", function () {
    const { sent, buffer } = collect();
    for (let i = 0; i < 5; i++) buffer.write("stdout", `${i}\n`);
    expect(sent).to.deep.equal([["stdout", "0\n"]]);
    buffer.flush();
    expect(sent).to.deep.equal([["stdout", "0\n"], ["stdout", "1\n2\n3\n4\n"]]);
    buffer.flush();
    expect(sent).to.have.length(2);
  });

  it("keeps the order of interleaved stdout and stderr", function () {
    const { sent, buffer } = collect();
    buffer.write("stdout", "a");
    buffer.write("stdout", "b");
    buffer.write("stdout", "c");
    buffer.write("stderr", "E");
    buffer.write("stdout", "d");
    buffer.flush();
    expect(sent).to.deep.equal([["stdout", "a"], ["stdout", "bc"], ["stderr", "E"], ["stdout", "d"]]);
  });

  it("sends at once when the held text grows past the size limit, or when no delay is allowed", function () {
    const big = collect(1000, 10);
    big.buffer.write("stdout", "first");
    big.buffer.write("stdout", "12345");
    big.buffer.write("stdout", "67890");
    expect(big.sent).to.deep.equal([["stdout", "first"], ["stdout", "1234567890"]]);
    const eager = collect(0);
    eager.buffer.write("stderr", "now");
    expect(eager.sent).to.deep.equal([["stderr", "now"]]);
  });

  it("flushes by itself after the delay when nothing else comes", async function () {
    const { sent, buffer } = collect(5);
    buffer.write("stdout", "now");
    buffer.write("stdout", "later");
    expect(sent).to.deep.equal([["stdout", "now"]]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).to.deep.equal([["stdout", "now"], ["stdout", "later"]]);
  });

  it("ignores empty writes", function () {
    const { sent, buffer } = collect();
    buffer.write("stdout", "");
    buffer.flush();
    expect(sent).to.deep.equal([]);
  });
});
