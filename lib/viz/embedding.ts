/** A vocabulary's embedding vectors projected to 2-D with PCA, each point labelled. */
import { checkLabels, checkMatrix } from "./check";
import { Figure } from "./figure";
import { visibleToken } from "./check";
import { pca } from "./pca";

export interface EmbeddingData {
  /** [token][dimension] */
  vectors: number[][];
  labels: string[];
}

export function embeddingFigure(e: EmbeddingData, options: { title?: string } = {}): Figure {
  const vectors = checkMatrix("vectors", e?.vectors);
  const labels = checkLabels("labels", e.labels, vectors.length);
  const { points, explained } = pca(vectors, 2);
  const pct = explained.map((x) => `${(100 * x).toFixed(1)}%`);
  return new Figure(
    {
      data: [
        {
          type: "scatter",
          mode: "markers+text",
          x: points.map((p) => p[0]),
          y: points.map((p) => p[1]),
          text: labels.map(visibleToken),
          textposition: "top center",
          marker: { size: 6 },
          hovertemplate: "%{text}<extra></extra>",
        },
      ],
      layout: {
        title: { text: options.title ?? "Embedding (PCA)" },
        xaxis: { title: { text: `PC1 (${pct[0]} of variance)` }, zeroline: false },
        yaxis: { title: { text: `PC2 (${pct[1] ?? "0%"} of variance)` }, zeroline: false },
        height: 520,
        margin: { t: 50, r: 20, b: 50, l: 60 },
      },
    },
    `Embedding of ${labels.length} tokens × ${vectors[0].length} dims, PCA explains ${pct.join(" + ")}`,
  );
}
