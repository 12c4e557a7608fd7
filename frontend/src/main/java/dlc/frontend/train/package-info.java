/**
 * Training-step construction: a model's {@code train} block becomes step graphs and a
 * {@link dlc.frontend.train.TrainPlan}, the one description of the run that the trainer reads.
 *
 * <p>{@link dlc.frontend.train.TrainLowering} is the entry (called by the driver, {@code dlc.frontend.Compiler}, after the
 * model lowered without errors). {@code TrainOverrides} applies settings from the command line,
 * {@code TrainSettings} reads and checks the settings into {@code BlockSettings},
 * {@code StepSets} decides which params each step optimizes or updates by rule,
 * {@code OptimizerState} runs the optimizers' {@code init} in the init graph, and
 * {@code StepGraph} builds one step: the train graph with autodiff's gradients
 * ({@code dlc.passes.autodiff}), clipping, and the optimizer's {@code update} staged per param.
 * Optimizers, schedules and clipping are .dl code in {@code std/optim.dl}.
 */
package dlc.frontend.train;
