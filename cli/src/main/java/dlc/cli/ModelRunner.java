package dlc.cli;

import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.train.Executor;

import java.util.*;

/**
 * Runs a lowered model on an {@link Executor} (a backend) the way {@code dlc run} does: the init graph
 * computes parameters and state from the seed, then the eval graph runs on the user's inputs,
 * with seeded random tensors for the inputs not given.
 */
final class ModelRunner {
    /** The graph input that carries a run's random key. */
    static final String RNG = "rng";
    /** {@code B} when neither {@code --batch}, {@code --dim B=} nor an input binds it. */
    static final int DEFAULT_BATCH = 2;

    private ModelRunner() {}

    /** A tensor the user gave for an input, and where it came from (a file name) for messages. */
    record Given(Tensor tensor, String source) {}

    /**
     * What to run.
     *
     * @param batch     {@code --batch}, or null for the default
     * @param intRange  random integer inputs are drawn from {@code [0, intRange)}
     * @param weights   the parameters and state (from a checkpoint, matched by name), or null to
     *                  initialize them from the seed
     */
    record Request(Map<String, Given> inputs, Map<String, Long> dims, Integer batch, long seed, int intRange, Map<String, Tensor> weights) {
        Request(Map<String, Given> inputs, Map<String, Long> dims, Integer batch, long seed, int intRange) {
            this(inputs, dims, batch, seed, intRange, null);
        }
    }

    /** The eval graph's outputs by name, the dims of its inputs, and which inputs were random. */
    record Result(Map<String, Tensor> outputs, Map<String, Long> dims, List<String> randomInputs, List<String> defaultedDims) {}

    /** Runs on the reference interpreter. */
    static Result run(Module m, Request req) { return run(m, req, Executor.interpreter()); }

    static Result run(Module m, Request req, Executor executor) {
        Graph eval = Programs.graph(m, "eval");
        InputBinder binder = new InputBinder(req.dims(), req.batch());
        try {
            return run(m, req, executor, eval, binder);
        } catch (OutOfMemoryError e) {
            // the frames that held the tensors are gone: there is room to say how much they took
            throw new OutOfMemoryError(MemoryNeed.describe(eval, binder.dims()));
        }
    }

    private static Result run(Module m, Request req, Executor executor, Graph eval, InputBinder binder) {
        List<Value> modelInputs = eval.inputs(Value.Role.INPUT).stream().filter(v -> !isRng(v)).toList();
        for (String name : req.inputs().keySet())
            if (modelInputs.stream().noneMatch(v -> v.name().equals(name)))
                throw new UserError("model " + m.name() + " has no input '" + name + "'; its inputs are " + describe(modelInputs));

        Map<String, Tensor> args = new HashMap<>();
        for (Value v : modelInputs) {
            Given g = req.inputs().get(v.name());
            if (g != null) args.put(v.name(), binder.bindGiven(v, g.tensor(), g.source()));
        }
        binder.defaultBatch(DEFAULT_BATCH);
        List<String> random = new ArrayList<>();
        for (Value v : modelInputs)
            if (!args.containsKey(v.name())) {
                args.put(v.name(), RandomInputs.sample(v.type().dtype(), binder.shapeOf(v), req.seed(), v.name(), req.intRange()));
                random.add(v.name());
            }
        eval.inputs(Value.Role.INPUT).stream().filter(ModelRunner::isRng).forEach(v -> args.put(v.name(), RandomInputs.key(req.seed(), "eval")));

        List<Value> stored = new ArrayList<>(eval.inputs(Value.Role.PARAM));
        stored.addAll(eval.inputs(Value.Role.STATE));
        if (!stored.isEmpty()) {
            Map<String, Tensor> initial = req.weights() != null ? req.weights() : initialize(m, req.seed(), executor);
            for (Value v : stored) {
                Tensor t = initial.get(v.name());
                if (t == null)
                    throw new UserError("model " + m.name() + ": " + (req.weights() != null ? "the weights hold" : "the init graph computes") + " no value for '" + v.name() + "'");
                args.put(v.name(), t);
            }
        }
        Map<String, Long> used = new LinkedHashMap<>();
        binder.dims().forEach((sym, v) -> {
            if (modelInputs.stream().anyMatch(in -> in.type().shape().symbols().contains(sym))) used.put(sym, v);
        });
        return new Result(executor.run(eval, args), used, random, binder.defaulted());
    }

    /** Runs the init graph, whose only input is the RNG key: the parameters and state {@code dlc run} and {@code dlc compile} use. */
    static Map<String, Tensor> initialize(Module m, long seed, Executor executor) {
        Graph init = Programs.graph(m, "init");
        Map<String, Tensor> args = new HashMap<>();
        for (Value v : init.inputs()) {
            if (!isRng(v)) throw new UserError("model " + m.name() + ": the init graph takes '" + v.name() + "', which dlc run cannot supply");
            args.put(v.name(), RandomInputs.key(seed, "init"));
        }
        return executor.run(init, args);
    }

    private static boolean isRng(Value v) { return v.role() == Value.Role.INPUT && RNG.equals(v.name()); }

    private static String describe(List<Value> inputs) {
        if (inputs.isEmpty()) return "none";
        StringJoiner j = new StringJoiner(", ");
        for (Value v : inputs) j.add(v.name() + ": " + v.type());
        return j.toString();
    }
}
