package dlc.onnx;

import java.util.*;

/**
 * Identifiers for the .dl file an import writes: the ONNX name where it is a valid identifier
 * that shadows nothing, otherwise a sanitized form ({@code onnx::MatMul_12} becomes
 * {@code onnx__MatMul_12}, {@code fc1.weight} becomes {@code fc1_weight}), made unique with a suffix.
 * Keywords, dtypes and the builtin and prelude functions the written code may call are never taken.
 */
final class DlNames {
    private static final Set<String> RESERVED = Set.of(
            // keywords and literals
            "import", "as", "const", "def", "model", "train", "step", "input", "param", "state", "output", "loss", "return",
            "if", "else", "fn", "and", "or", "not", "true", "false", "inf", "none", "training", "rng",
            "f16", "f32", "f64", "i32", "i64", "bool", "u8", "i8",
            // builtins and prelude functions an import may write
            "neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "tanh", "sigmoid", "erf", "sin", "cos", "relu",
            "floor", "maximum", "minimum", "pow", "where", "cast", "sum", "mean", "max", "min", "argmax", "argmin", "reshape",
            "permute", "transpose", "broadcast_to", "unsqueeze", "squeeze", "flatten", "concat", "stack", "split", "pad",
            "reverse", "gather", "scatter_add", "zeros", "ones", "full", "zeros_like", "ones_like", "iota", "arange", "constant",
            "matmul", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "softmax", "log_softmax", "leaky_relu", "elu",
            "softplus", "clamp", "trunc_div", "trunc_mod", "resize", "len", "range", "shape", "int", "float", "str", "stop_gradient",
            // the helper defs an import may write
            "batch_norm_inference", "layer_norm_inference");

    private final Set<String> used = new HashSet<>(RESERVED);
    private final Map<String, String> byOnnx = new HashMap<>();

    /** The identifier for the ONNX name {@code onnx} (the same one on every call). */
    String of(String onnx) {
        return byOnnx.computeIfAbsent(onnx, this::fresh);
    }

    /** A new identifier from a hint. */
    String fresh(String hint) {
        String base = hint == null ? "" : hint.replaceAll("[^A-Za-z0-9_]", "_");
        if (base.isEmpty() || Character.isDigit(base.charAt(0))) base = "v" + base;
        if (used.add(base)) return base;
        for (int i = 1; ; i++) if (used.add(base + "_" + i)) return base + "_" + i;
    }
}
