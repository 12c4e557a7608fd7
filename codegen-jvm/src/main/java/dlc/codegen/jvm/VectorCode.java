package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Node;
import dlc.ir.Value;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.*;
import java.util.function.IntUnaryOperator;

/**
 * The vector body of a loop nest: the nest's elementwise ops on {@code FloatVector}s of
 * {@code jdk.incubator.vector} (transcendental ops through the JDK's vectorized math library).
 * Only f32 nests whose ops all have a vector form qualify; anything else keeps the scalar loop
 * alone. Vector results differ from the scalar ones by a few ulps at most (the vector exp, log
 * and tanh are not correctly rounded); relu is {@code max(x, 0)}, which keeps a NaN where the
 * scalar {@code x > 0 ? x : 0} gives 0.
 */
final class VectorCode implements Opcodes {
    private static final String FV = "jdk/incubator/vector/FloatVector", V = "jdk/incubator/vector/Vector",
            SPECIES = "jdk/incubator/vector/VectorSpecies", OPS = "jdk/incubator/vector/VectorOperators",
            UNARY = "Ljdk/incubator/vector/VectorOperators$Unary;";
    private static final Set<String> BINARY = Set.of("add", "sub", "mul", "div");
    private static final Map<String, String> LANEWISE = Map.of("exp", "EXP", "log", "LOG", "tanh", "TANH", "sqrt", "SQRT",
            "log1p", "LOG1P", "expm1", "EXPM1", "sin", "SIN", "cos", "COS");
    private static final Set<String> OTHER = Set.of("neg", "abs", "relu", "sigmoid", "rsqrt", "stop_gradient", "broadcast_to", "constant");

    private final MethodVisitor mv;
    private final IntUnaryOperator newLocal;
    private final Map<Value, Integer> local = new IdentityHashMap<>();

    VectorCode(MethodVisitor mv, IntUnaryOperator newLocal) {
        this.mv = mv;
        this.newLocal = newLocal;
    }

    /**
     * Whether a nest can take the vector path: no reduction, every value f32, every op with a
     * vector form, and every access at the innermost level either contiguous (stride 1) or
     * broadcast (stride 0).
     */
    static boolean canVectorize(GroupPlan plan, GroupPlan.Nest nest, List<Value> accesses, int leafCount, Dim[][] strides, int level) {
        if (nest.reduce() != null || nest.targets().isEmpty()) return false;
        for (int a = 0; a < accesses.size(); a++) {
            Value v = accesses.get(a);
            if (v == null || v.type().dtype() != DType.F32) return false;
            Dim s = strides[a][level];
            if (!s.isConst() || s.value() != 0 && s.value() != 1) return false;
            if (a >= leafCount && s.value() != 1) return false;
        }
        Set<Value> leaves = Collections.newSetFromMap(new IdentityHashMap<>());
        leaves.addAll(accesses.subList(0, leafCount));
        Deque<Value> work = new ArrayDeque<>(nest.targets());
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!work.isEmpty()) {
            Value v = work.pop();
            if (!seen.add(v) || leaves.contains(v)) continue;
            Node p = v.producer();
            String op = p.op().name();
            if (v.type().dtype() != DType.F32 || !(BINARY.contains(op) || LANEWISE.containsKey(op) || OTHER.contains(op))) return false;
            for (Value in : p.inputs()) {
                if (in.type().dtype() != DType.F32) return false;
                work.push(in);
            }
        }
        return true;
    }

    private void species() { mv.visitFieldInsn(GETSTATIC, BindTable.RT + "VecSpecies", "F", "L" + SPECIES + ";"); }

    /** Loads leaf {@code v}: a vector at {@code array[offset + i]} when {@code iLocal >= 0}, else the scalar {@code array[offset]} splat. */
    void leaf(Value v, int arrayLocal, int offsetLocal, int iLocal) {
        species();
        mv.visitVarInsn(ALOAD, arrayLocal);
        mv.visitVarInsn(ILOAD, offsetLocal);
        if (iLocal >= 0) {
            mv.visitVarInsn(ILOAD, iLocal);
            mv.visitInsn(IADD);
            mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(L" + SPECIES + ";[FI)L" + FV + ";", false);
        } else {
            mv.visitInsn(FALOAD);
            mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(L" + SPECIES + ";F)L" + FV + ";", false);
        }
        store(v);
    }

    /** Evaluates target {@code v} and stores it at {@code array[offset + i]}. */
    void store(Value v, int arrayLocal, int offsetLocal, int iLocal) {
        mv.visitVarInsn(ALOAD, eval(v));
        mv.visitVarInsn(ALOAD, arrayLocal);
        mv.visitVarInsn(ILOAD, offsetLocal);
        mv.visitVarInsn(ILOAD, iLocal);
        mv.visitInsn(IADD);
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "intoArray", "([FI)V", false);
    }

    private int store(Value v) {
        int l = newLocal.applyAsInt(1);
        mv.visitVarInsn(ASTORE, l);
        local.put(v, l);
        return l;
    }

    private int eval(Value v) {
        Integer have = local.get(v);
        if (have != null) return have;
        Node p = v.producer();
        String op = p.op().name();
        List<Integer> in = new ArrayList<>();
        for (Value x : p.inputs()) in.add(eval(x));
        if (BINARY.contains(op)) {
            mv.visitVarInsn(ALOAD, in.get(0));
            mv.visitVarInsn(ALOAD, in.get(1));
            mv.visitMethodInsn(INVOKEVIRTUAL, FV, op, "(L" + V + ";)L" + FV + ";", false);
        } else if (LANEWISE.containsKey(op)) {
            mv.visitVarInsn(ALOAD, in.get(0));
            lanewise(LANEWISE.get(op));
        } else switch (op) {
            case "stop_gradient", "broadcast_to" -> mv.visitVarInsn(ALOAD, in.get(0));
            case "neg", "abs" -> {
                mv.visitVarInsn(ALOAD, in.get(0));
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, op, "()L" + FV + ";", false);
            }
            case "relu" -> {
                mv.visitVarInsn(ALOAD, in.get(0));
                mv.visitInsn(FCONST_0);
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "max", "(F)L" + FV + ";", false);
            }
            case "sigmoid" -> {
                // 1 / (1 + exp(-x)): exp(-x) overflows to +inf for very negative x, giving 0
                species();
                mv.visitInsn(FCONST_1);
                mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(L" + SPECIES + ";F)L" + FV + ";", false);
                mv.visitVarInsn(ALOAD, in.get(0));
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "neg", "()L" + FV + ";", false);
                lanewise("EXP");
                mv.visitInsn(FCONST_1);
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "add", "(F)L" + FV + ";", false);
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "div", "(L" + V + ";)L" + FV + ";", false);
            }
            case "rsqrt" -> {
                species();
                mv.visitInsn(FCONST_1);
                mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(L" + SPECIES + ";F)L" + FV + ";", false);
                mv.visitVarInsn(ALOAD, in.get(0));
                lanewise("SQRT");
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "div", "(L" + V + ";)L" + FV + ";", false);
            }
            case "constant" -> {
                species();
                mv.visitLdcInsn((float) p.attrs().getDoubles("values")[0]);
                mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(L" + SPECIES + ";F)L" + FV + ";", false);
            }
            default -> throw new IllegalStateException("no vector form for " + op);
        }
        return store(v);
    }

    private void lanewise(String operator) {
        mv.visitFieldInsn(GETSTATIC, OPS, operator, UNARY);
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "lanewise", "(" + UNARY + ")L" + FV + ";", false);
    }
}
