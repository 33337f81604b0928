import { expect } from "chai";
import { globToRegExp, KernelSession } from "../../kernel/session";

describe("kernel session: counter and history", function () {
  function sessionWith(inputs: string[]): KernelSession {
    const s = new KernelSession();
    for (const input of inputs) s.record(s.beginExecution(true), input);
    return s;
  }

  it("advances the count only for stored executions", function () {
    const s = new KernelSession();
    expect(s.beginExecution(true)).to.equal(1);
    expect(s.beginExecution(false)).to.equal(2);
    expect(s.beginExecution(true)).to.equal(2);
    expect(s.executionCount).to.equal(3);
  });

  it("answers tail, with and without output", function () {
    const s = sessionWith(["a", "b", "c"]);
    s.recordOutput(3, "'c'");
    expect(s.query({ hist_access_type: "tail", n: 2 })).to.deep.equal([[1, 2, "b"], [1, 3, "c"]]);
    expect(s.query({ hist_access_type: "tail", n: 2, output: true })).to.deep.equal([[1, 2, ["b", null]], [1, 3, ["c", "'c'"]]]);
  });

  it("answers range with an exclusive stop, relative sessions and open ends", function () {
    const s = sessionWith(["a", "b", "c", "d"]);
    expect(s.query({ hist_access_type: "range", session: 1, start: 2, stop: 4 }).map((r) => r[2])).to.deep.equal(["b", "c"]);
    expect(s.query({ hist_access_type: "range", session: 0, start: 3, stop: null }).map((r) => r[2])).to.deep.equal(["c", "d"]);
    expect(s.query({ hist_access_type: "range", session: -1, start: 1, stop: 2 })).to.deep.equal([]);
  });

  it("searches with glob patterns, unique and n", function () {
    const s = sessionWith(["x = 1", "y = 2", "x = 1", "x = 3"]);
    expect(s.query({ hist_access_type: "search", pattern: "x*" }).map((r) => r[1])).to.deep.equal([1, 3, 4]);
    expect(s.query({ hist_access_type: "search", pattern: "x*", unique: true }).map((r) => r[1])).to.deep.equal([3, 4]);
    expect(s.query({ hist_access_type: "search", pattern: "x*", n: 1 }).map((r) => r[1])).to.deep.equal([4]);
    expect(s.query({ hist_access_type: "search", pattern: "? = 2" }).map((r) => r[2])).to.deep.equal(["y = 2"]);
  });

  it("treats regex characters in patterns literally and rejects unknown access types", function () {
    expect(globToRegExp("a.b(*)").test("a.b(zz)")).to.equal(true);
    expect(globToRegExp("a.b").test("axb")).to.equal(false);
    expect(() => new KernelSession().query({ hist_access_type: "sideways" })).to.throw(/unknown hist_access_type "sideways"/);
  });
});
