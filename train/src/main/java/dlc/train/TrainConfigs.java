package dlc.train;

import dlc.frontend.train.TrainConfig;

import java.util.List;
import java.util.Map;

/**
 * The one adapter from the front end's {@link TrainConfig} (a lowered train block) to the
 * trainer's {@link TrainPlan}. Data set arguments become text by name: the first positional
 * argument is the sample count {@code n}; strings, numbers and booleans as written.
 */
public final class TrainConfigs {
    private TrainConfigs() {}

    /** The plan of {@code c}; a {@link TrainException} when the block names no data set. */
    public static TrainPlan plan(TrainConfig c) {
        if (c.data() == null)
            throw new TrainException("the train block of " + c.model() + " has no data setting; add e.g. data moons(n=512)");
        TrainPlan.Builder b = TrainPlan.builder(c.data().name())
                .batch(c.batch()).epochs(c.epochs()).seed(c.seed()).validationFraction(c.validation())
                .earlyStopping(c.patience(), c.minDelta());
        List<Object> args = c.data().args();
        if (args.size() > 1)
            throw new TrainException("data " + c.data().name() + ": give the arguments after the first by name, e.g. noise=0.1");
        if (args.size() == 1) b.dataArg("n", text(args.get(0)));
        for (Map.Entry<String, Object> e : c.data().options().entrySet()) b.dataArg(e.getKey(), text(e.getValue()));
        if (c.test() != null) {
            b.test(c.test().name());
            List<Object> targs = c.test().args();
            if (targs.size() > 1)
                throw new TrainException("test " + c.test().name() + ": give the arguments after the first by name, e.g. part=\"test\"");
            if (targs.size() == 1) b.testArg("n", text(targs.get(0)));
            try {
                for (Map.Entry<String, Object> e : c.test().options().entrySet()) b.testArg(e.getKey(), text(e.getValue()));
            } catch (IllegalArgumentException e) {
                throw new TrainException("test " + c.test().name() + ": " + e.getMessage());
            }
        }
        b.steps(c.steps().stream().map(s -> new TrainPlan.Step(s.graph(), s.loss(), s.params())).toList());
        if (c.metric() == null) b.accuracy(TrainPlan.NO_ACCURACY, TrainPlan.NO_ACCURACY);
        else b.accuracy(c.metric().output(), c.metric().labels(), c.metric().mask());
        return b.build();
    }

    private static String text(Object v) {
        if (v instanceof List<?>) throw new TrainException("a data set argument cannot be a list: " + v);
        return String.valueOf(v);
    }
}
