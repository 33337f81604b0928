/** Plotly figures built from plain data, rendered offline, and live training views. */
export { Figure, PLOTLY_MIME } from "./figure";
export type { FigureSpec, PlotlyTrace, HtmlOptions } from "./figure";
export {
  PlotlyLoader,
  plotlyInjected,
  plotlyJsSource,
  plotlyScriptTag,
  plotlyVersion,
  resetPlotlyInjection,
  setPlotlyJsSource,
} from "./plotly";
export type { PlotlyJsSource } from "./plotly";
export { ema, lossFigure, thinIndices } from "./loss";
export type { LossData, LossFigureOptions } from "./loss";
export { gradientHeatmapFigure, gradientHistoryOf, gradientNormsFigure, gradientStepFigure, jacobianNormsFigure } from "./gradients";
export { sliderFigure, MAX_FRAMES } from "./frames";
export type { PlotlyFrame } from "./figure";
export type { GradientHistory, GradientRecord, GradientStep, GradientsThroughTime, JacobianNorms } from "./gradients";
export { hiddenStatesFigure, hiddenStepFigure } from "./hidden";
export { activationTextFigure, activationTextHtml } from "./activation-text";
export type { ActivationText } from "./activation-text";
export type { HiddenStates, HiddenStatesOptions } from "./hidden";
export { attentionFigure, selfAttentionFigure } from "./attention";
export type { AttentionWeights, SelfAttentionHeads } from "./attention";
export { gateActivationsFigure } from "./gates";
export type { GateActivations } from "./gates";
export { embeddingFigure } from "./embedding";
export type { EmbeddingData } from "./embedding";
export { pca } from "./pca";
export type { Projection } from "./pca";
export { LiveLossPlot, ProgressBar } from "./live";
export type { LiveLossOptions, LiveOptions, ProgressInfo, ProgressOptions, ProgressState } from "./live";
export { Throttle } from "./throttle";
export type { Clock } from "./throttle";
