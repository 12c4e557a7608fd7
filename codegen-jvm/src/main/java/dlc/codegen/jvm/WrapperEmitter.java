package dlc.codegen.jvm;

import dlc.runtime.Signature;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes the typed class of a model jar: a final subclass of {@code dlc.runtime.Model} with
 * <pre>
 * public static C load()                         // the compiled graph and the jar's weights
 * public C copy()                                // another instance for another thread
 * public float[] probs(float[] x, int batch)     // one method per output: caller inputs, then one int per shape symbol
 * public static void main(String[] args)         // java -jar: dlc.runtime.ModelMain
 * </pre>
 * plus the generic {@code run(Map)} inherited from {@code Model}. Every method is straight-line
 * code forwarding to {@code Model}, which holds the logic (and its javadoc: instances are not
 * thread-safe). Parameter names are recorded (MethodParameters), so IDEs show {@code x, batch}.
 */
final class WrapperEmitter {
    private static final String MODEL = "dlc/runtime/Model";
    private static final String GRAPH = "dlc/runtime/CompiledGraph";
    private static final String TRAINABLE = "dlc/runtime/TrainableModel";
    /** Names a typed method must not take: Model's and Object's methods, and the generated ones. */
    private static final Set<String> TAKEN = Set.of("load", "copy", "main", "run", "signature", "inputNames", "outputNames", "output",
            "weightResource", "trainStep", "fit", "saveWeights", "loadWeights", "steps", "trainInputNames", "trainSignature", "step", "fitArrays", "getClass", "hashCode", "equals", "toString", "notify", "notifyAll", "wait", "clone", "finalize");
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class",
            "const", "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private", "protected", "public",
            "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "var", "record", "yield", "sealed", "permits", "_");

    private WrapperEmitter() {}

    /**
     * The class file of {@code className} (binary name, e.g. {@code com.acme.FashionMlp}) over the
     * generated graph class {@code graphClass} with signature {@code sig}; {@code callerInputs} are
     * the inputs the typed methods take (the others are weights).
     */
    static byte[] emit(String className, String graphClass, Signature sig, List<String> callerInputs) {
        return emit(className, graphClass, sig, callerInputs, null, null);
    }

    /**
     * The training half of a trainable model's typed class ({@code dlc compile --trainable}): the
     * step graph's class, its signature and the inputs {@code trainStep} takes.
     */
    record Training(String stepClass, Signature sig, List<String> callerInputs) {}

    /**
     * As {@link #emit(String, String, Signature, List)}; with {@code training}, a subclass of
     * {@code TrainableModel} with trainStep and fit. With {@code launcher} (a class binary name, see
     * {@link ModelJar.Backend}), {@code load()} hands the graph to {@code launcher.choose(graph, C.class)}
     * and runs what it returns, and {@code main} is {@code launcher.main(model, args)}.
     */
    static byte[] emit(String className, String graphClass, Signature sig, List<String> callerInputs, Training training, String launcher) {
        String self = className.replace('.', '/');
        String base = training == null ? MODEL : TRAINABLE;
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, self, null, base, null);

        String ctor = training == null ? "(L" + GRAPH + ";)V" : "(L" + GRAPH + ";L" + GRAPH + ";)V";
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PRIVATE, "<init>", ctor, null, null);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        if (training != null) mv.visitVarInsn(Opcodes.ALOAD, 2);
        mv.visitLdcInsn(Type.getObjectType(self));
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, base, "<init>", training == null ? "(L" + GRAPH + ";Ljava/lang/Class;)V"
                : "(L" + GRAPH + ";L" + GRAPH + ";Ljava/lang/Class;)V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();

        mv = cw.visitMethod(Opcodes.ACC_PRIVATE, "<init>", "(L" + self + ";)V", null, null);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, base, "<init>", "(L" + base + ";)V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();

        mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "load", "()L" + self + ";", null, null);
        mv.visitCode();
        mv.visitTypeInsn(Opcodes.NEW, self);
        mv.visitInsn(Opcodes.DUP);
        String g = graphClass.replace('.', '/');
        mv.visitTypeInsn(Opcodes.NEW, g);
        mv.visitInsn(Opcodes.DUP);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, g, "<init>", "()V", false);
        if (launcher != null) {
            mv.visitLdcInsn(Type.getObjectType(self));
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, launcher.replace('.', '/'), "choose", "(L" + GRAPH + ";Ljava/lang/Class;)L" + GRAPH + ";", false);
        }
        if (training != null) {
            String st = training.stepClass().replace('.', '/');
            mv.visitTypeInsn(Opcodes.NEW, st);
            mv.visitInsn(Opcodes.DUP);
            mv.visitMethodInsn(Opcodes.INVOKESPECIAL, st, "<init>", "()V", false);
        }
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, self, "<init>", ctor, false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();

        mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "copy", "()L" + self + ";", null, null);
        mv.visitCode();
        mv.visitTypeInsn(Opcodes.NEW, self);
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, self, "<init>", "(L" + self + ";)V", false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();

        mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "main", "([Ljava/lang/String;)V", null, null);
        mv.visitParameter("args", 0);
        mv.visitCode();
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, self, "load", "()L" + self + ";", false);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, launcher != null ? launcher.replace('.', '/') : "dlc/runtime/ModelMain", "main", "(L" + MODEL + ";[Ljava/lang/String;)V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();

        List<String> methodNames = methodNames(sig);
        List<String> params = parameterNames(sig, callerInputs);
        for (int o = 0; o < sig.outputs().size(); o++) typedMethod(cw, self, sig, callerInputs, params, o, methodNames.get(o));
        if (training != null) {
            trainStep(cw, self, training);
            fit(cw, self, training);
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@code public float[] probs(float[] x, int batch) { return (float[]) output(0, new Object[]{x}, new long[]{batch}); }} */
    private static void typedMethod(ClassWriter cw, String self, Signature sig, List<String> callerInputs, List<String> params, int out, String name) {
        StringBuilder desc = new StringBuilder("(");
        for (String in : callerInputs) desc.append(storage(sig.inputs().get(sig.inputIndex(in))));
        desc.append("I".repeat(sig.symbols().size())).append(')');
        String ret = storage(sig.outputs().get(out));
        desc.append(ret);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, name, desc.toString(), null, null);
        for (String p : params) mv.visitParameter(p, 0);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        push(mv, out);
        push(mv, callerInputs.size());
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        int slot = 1;
        for (int k = 0; k < callerInputs.size(); k++) {
            mv.visitInsn(Opcodes.DUP);
            push(mv, k);
            mv.visitVarInsn(Opcodes.ALOAD, slot++);
            mv.visitInsn(Opcodes.AASTORE);
        }
        push(mv, sig.symbols().size());
        mv.visitIntInsn(Opcodes.NEWARRAY, Opcodes.T_LONG);
        for (int k = 0; k < sig.symbols().size(); k++) {
            mv.visitInsn(Opcodes.DUP);
            push(mv, k);
            mv.visitVarInsn(Opcodes.ILOAD, slot++);
            mv.visitInsn(Opcodes.I2L);
            mv.visitInsn(Opcodes.LASTORE);
        }
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, self, "output", "(I[Ljava/lang/Object;[J)Ljava/lang/Object;", false);
        mv.visitTypeInsn(Opcodes.CHECKCAST, ret);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** {@code public double trainStep(float[] x, double[] y, int batch) { return step(new Object[]{x, y}, new long[]{batch}); }} */
    private static void trainStep(ClassWriter cw, String self, Training t) {
        Signature sig = t.sig();
        StringBuilder desc = new StringBuilder("(");
        for (String in : t.callerInputs()) desc.append(storage(sig.inputs().get(sig.inputIndex(in))));
        desc.append("I".repeat(sig.symbols().size())).append(")D");
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "trainStep", desc.toString(), null, null);
        for (String p : parameterNames(sig, t.callerInputs())) mv.visitParameter(p, 0);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        int slot = arguments(mv, t.callerInputs().size(), 1);
        push(mv, sig.symbols().size());
        mv.visitIntInsn(Opcodes.NEWARRAY, Opcodes.T_LONG);
        for (int k = 0; k < sig.symbols().size(); k++) {
            mv.visitInsn(Opcodes.DUP);
            push(mv, k);
            mv.visitVarInsn(Opcodes.ILOAD, slot++);
            mv.visitInsn(Opcodes.I2L);
            mv.visitInsn(Opcodes.LASTORE);
        }
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, self, "step", "([Ljava/lang/Object;[J)D", false);
        mv.visitInsn(Opcodes.DRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** {@code public double[] fit(float[] x, double[] y, int epochs, int batchSize, long seed) { return fitArrays(new Object[]{x, y}, epochs, batchSize, seed); }} */
    private static void fit(ClassWriter cw, String self, Training t) {
        Signature sig = t.sig();
        StringBuilder desc = new StringBuilder("(");
        for (String in : t.callerInputs()) desc.append(storage(sig.inputs().get(sig.inputIndex(in))));
        desc.append("IIJ)[D");
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "fit", desc.toString(), null, null);
        List<String> names = new ArrayList<>(parameterNames(sig, t.callerInputs()).subList(0, t.callerInputs().size()));
        for (String extra : List.of("epochs", "batchSize", "seed")) names.add(names.contains(extra) ? extra + "_" : extra);
        for (String p : names) mv.visitParameter(p, 0);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        int slot = arguments(mv, t.callerInputs().size(), 1);
        mv.visitVarInsn(Opcodes.ILOAD, slot);
        mv.visitVarInsn(Opcodes.ILOAD, slot + 1);
        mv.visitVarInsn(Opcodes.LLOAD, slot + 2);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, self, "fitArrays", "([Ljava/lang/Object;IIJ)[D", false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Pushes an Object[] of the {@code n} reference arguments from {@code slot}; returns the next slot. */
    private static int arguments(MethodVisitor mv, int n, int slot) {
        push(mv, n);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        for (int k = 0; k < n; k++) {
            mv.visitInsn(Opcodes.DUP);
            push(mv, k);
            mv.visitVarInsn(Opcodes.ALOAD, slot++);
            mv.visitInsn(Opcodes.AASTORE);
        }
        return slot;
    }

    /** The training methods of a trainable model's typed class as Java declares them. */
    static List<String> describeTraining(Training t) {
        Signature sig = t.sig();
        List<String> params = parameterNames(sig, t.callerInputs());
        StringBuilder step = new StringBuilder("double trainStep("), fit = new StringBuilder("double[] fit(");
        for (int k = 0; k < params.size(); k++) {
            String type = k < t.callerInputs().size() ? javaType(sig.inputs().get(sig.inputIndex(t.callerInputs().get(k)))) : "int";
            step.append(k > 0 ? ", " : "").append(type).append(' ').append(params.get(k));
            if (k < t.callerInputs().size()) fit.append(k > 0 ? ", " : "").append(type).append(' ').append(params.get(k));
        }
        fit.append(t.callerInputs().isEmpty() ? "" : ", ").append("int epochs, int batchSize, long seed)");
        return List.of(step.append(')').toString(), fit.toString(),
                "void saveWeights(java.nio.file.Path file) throws java.io.IOException",
                "void loadWeights(java.nio.file.Path file) throws java.io.IOException");
    }

    /** Each typed method as Java declares it, e.g. {@code float[] probs(float[] x, int batch)}. */
    static List<String> describe(Signature sig, List<String> callerInputs) {
        List<String> names = methodNames(sig), params = parameterNames(sig, callerInputs), out = new ArrayList<>();
        for (int o = 0; o < names.size(); o++) {
            StringBuilder sb = new StringBuilder(javaType(sig.outputs().get(o))).append(' ').append(names.get(o)).append('(');
            for (int k = 0; k < params.size(); k++) {
                if (k > 0) sb.append(", ");
                sb.append(k < callerInputs.size() ? javaType(sig.inputs().get(sig.inputIndex(callerInputs.get(k)))) : "int").append(' ').append(params.get(k));
            }
            out.add(sb.append(')').toString());
        }
        return out;
    }

    private static String javaType(Signature.Port p) { return p.dtype().equals("f32") ? "float[]" : "double[]"; }

    /** The Java method name of each output: its name as an identifier, renamed when it would clash. */
    static List<String> methodNames(Signature sig) {
        List<String> names = new ArrayList<>();
        Set<String> used = new HashSet<>(TAKEN);
        for (Signature.Port p : sig.outputs()) {
            String n = identifier(p.name());
            if (used.contains(n)) n = n + "Output";
            String base = n;
            for (int k = 2; used.contains(n); k++) n = base + k;
            used.add(n);
            names.add(n);
        }
        return names;
    }

    /** Parameter names of the typed methods: the caller inputs', then one per symbol ({@code batch} for B). */
    static List<String> parameterNames(Signature sig, List<String> callerInputs) {
        List<String> names = new ArrayList<>();
        Set<String> used = new HashSet<>();
        List<String> raw = new ArrayList<>();
        for (String in : callerInputs) raw.add(identifier(in));
        for (String s : sig.symbols()) raw.add(s.equals("B") ? "batch" : identifier(s));
        for (String n : raw) {
            String base = n;
            for (int k = 2; used.contains(n); k++) n = base + k;
            used.add(n);
            names.add(n);
        }
        return names;
    }

    private static String identifier(String name) {
        String n = JvmCompiler.javaName(name);
        return KEYWORDS.contains(n) ? n + "_" : n;
    }

    private static String storage(Signature.Port p) { return p.dtype().equals("f32") ? "[F" : "[D"; }

    private static void push(MethodVisitor mv, int v) {
        if (v <= 5) mv.visitInsn(Opcodes.ICONST_0 + v);
        else if (v <= Byte.MAX_VALUE) mv.visitIntInsn(Opcodes.BIPUSH, v);
        else mv.visitIntInsn(Opcodes.SIPUSH, v);
    }
}
