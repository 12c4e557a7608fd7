package dlc.passes.simplify;

import dlc.ir.OpDef;

/**
 * What the simplification passes need to know about effects. Every op of the IR is a pure function
 * of its operands and attributes; random ops too: a draw is a function of its key (and the element
 * index), never of hidden state, so two draws with the same key and attributes are the same tensor.
 * They are singled out only because constant folding must not freeze samples into data.
 */
final class Purity {
    private Purity() {}

    /** {@code rng_fold}, {@code random_uniform}, {@code random_normal}. */
    static boolean isRandom(OpDef op) {
        return op.name().equals("rng_fold") || op.name().startsWith("random_");
    }
}
