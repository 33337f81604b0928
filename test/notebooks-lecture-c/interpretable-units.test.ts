/**
 * Lecture notebook 10 (interpretable units of the lab LSTM): committed clean, then executed in
 * quick mode by `seqlab run` and by nbconvert with its claims ticked and its figures present.
 * The tests live in ../notebooks/lecture-suite.ts; this file is the table.
 */
import { describeLectureNotebooks, type LectureNotebook } from "../notebooks/lecture-suite";

const EXPECTED: LectureNotebook[] = [
  {
    file: "10-interpretable-units.ipynb",
    claims: [
      /✔ a trained unit tells header lines from notes, \|r\| at least 0\.9: (0\.9\d\d|1\.000)/,
      /✔ training raised the best header-line \|r\| by at least 0\.2 over the untrained model/,
      /✔ training raised the best distance-to-line-end \|r\| over the untrained model/,
      /✔ the header-line feature shuffled finds no unit above \|r\| 0\.2/,
    ],
    minClaims: 4,
    // the coloured text as a plotly heatmap
    minFiguresByTrace: { heatmap: 1 },
  },
];

describeLectureNotebooks("lecture notebook 10", EXPECTED, { testTimeoutMs: 6 * 60 * 1000, nbconvertTimeoutMs: 5 * 60 * 1000 });
