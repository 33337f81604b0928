/**
 * Jupyter widgets from TypeScript (sl.widgets): controls that sync with the notebook
 * frontend over the widget message protocol 2.1, as ipywidgets 8 does. Show one with
 * display(w) or as a cell's value; read and set its properties (slider.value = 3); watch
 * them with observe("value", ({ old, new: value }) => ...). Without a kernel they show as
 * text and their callbacks still run.
 */
export { Widget, PROTOCOL_VERSION, VIEW_MIME, type Change, type Observer, type MessageHandler } from "./widget";
export { Layout, Style } from "./styles";
export { IntSlider, FloatSlider, Play, Checkbox, Text, Label, HTML, Button, type SliderOptions, type PlayOptions, type ButtonOptions } from "./controls";
export { Dropdown, ToggleButtons, type OptionSpec, type SelectionOptions } from "./selection";
export { HBox, VBox, type BoxOptions } from "./box";
export { Output, type OutputItem } from "./output";
export { Link, jslink } from "./link";
export { StopButton } from "./stop";
export { sampler, type SamplerOptions } from "./sampler";
export { interact, Interactive, widgetFrom, type Abbreviation, type ValueOf, type ValuesOf } from "./interact";
export { Scrubber, scrubber, type ScrubberOptions } from "./scrubber";
export { gradientExplorer, attentionExplorer, hiddenStateExplorer } from "./inspectors";
