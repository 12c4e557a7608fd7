package dlc.codegen.jvm;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.runtime.Signature;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.*;

/**
 * Writes the class of one graph: a {@code CompiledGraph} subclass whose {@code execute} calls one
 * private method per top-level node in graph order. What a node's method holds is its
 * {@link LoweringTable} entry, visited ({@link TopLevel}): a region emits itself (a fusion group's
 * loop nests, {@link GroupEmitter}; a scan's body class, {@link ScanEmitter}); a lone inline or
 * reduction node is a group of one; a kernel call is emitted by its code; an alias has no method.
 * Buffers come from {@link StoragePlan}.
 */
final class ClassEmitter implements Opcodes {
    private final Graph graph;
    private final String className, owner;
    private final Map<String, byte[]> out;
    final BindTable bind;
    final StoragePlan storage;
    private final ClassWriter cw;
    /** Weight inputs stored narrow, by name: "bf16" or "int8" (a NarrowMatrix instead of a float[]). */
    private final Map<String, String> narrow;
    private final List<java.util.function.Consumer<MethodVisitor>> bindExtras = new ArrayList<>();
    private final List<String> constructorExtras = new ArrayList<>();
    private int nestedCount;

    private ClassEmitter(Graph graph, String className, Map<String, byte[]> out, List<String> parentSymbols, Map<String, String> narrow) {
        this.graph = graph;
        this.narrow = Map.copyOf(narrow);
        this.className = className;
        this.owner = className.replace('.', '/');
        this.out = out;
        this.bind = new BindTable(owner, parentSymbols == null ? symbols(graph) : nestedSymbols(graph, parentSymbols));
        this.storage = StoragePlan.plan(graph, bind);
        this.cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            // frames only merge our own arrays and this class: no class loading needed
            @Override protected String getCommonSuperClass(String a, String b) { return "java/lang/Object"; }
        };
    }

    static CompiledClasses emit(Graph graph, String className) { return emit(graph, className, Map.of()); }

    /**
     * As {@link #emit(Graph, String)}, with the weight inputs named in {@code narrow} taken as
     * {@code dlc.runtime.NarrowMatrix} ("bf16" or "int8"): each must be an f32 matrix PARAM that
     * only matmuls read as their right operand.
     */
    static CompiledClasses emit(Graph graph, String className, Map<String, String> narrow) {
        for (var e : narrow.entrySet()) {
            Value v = graph.inputs().stream().filter(x -> e.getKey().equals(x.name())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no input '" + e.getKey() + "' to store as " + e.getValue()));
            if (v.role() != Value.Role.PARAM || v.type().dtype() != DType.F32 || v.type().rank() != 2 || !dlc.runtime.NarrowMatrix.isFormat(e.getValue()))
                throw new IllegalArgumentException("only an f32 matrix parameter can be stored as bf16 or int8, not " + v + " as " + e.getValue());
        }
        Map<String, byte[]> out = new TreeMap<>();
        new ClassEmitter(graph, className, out, null, narrow).write();
        return new CompiledClasses(className, out);
    }

    /** The shape symbols, in sorted order; each must be bound by some input's shape. */
    static List<String> symbols(Graph g) {
        Set<String> bound = new TreeSet<>();
        for (Value v : g.inputs())
            for (Dim d : v.type().shape().dims()) if (!d.isConst() && d.symbols().size() == 1 && d.equals(Dim.sym(d.symbols().iterator().next()))) bound.add(d.toString());
        Set<String> used = new TreeSet<>();
        for (Value v : g.inputs()) used.addAll(v.type().shape().symbols());
        for (Node n : g.nodes()) for (Value v : n.outputs()) used.addAll(v.type().shape().symbols());
        used.removeAll(bound);
        if (!used.isEmpty())
            throw new IllegalArgumentException("graph " + g.name() + ": dimension(s) " + used + " are not the lone dim of any input, so a compiled graph cannot bind them from its inputs");
        return List.copyOf(bound);
    }

    /**
     * The symbols of a nested graph (a scan body): every symbol it uses, bound by name from the
     * enclosing graph's binding (a body's dims need not be lone dims of its own inputs).
     */
    static List<String> nestedSymbols(Graph g, List<String> parent) {
        Set<String> used = new TreeSet<>();
        for (Value v : g.inputs()) used.addAll(v.type().shape().symbols());
        for (Node n : g.nodes()) for (Value v : n.outputs()) used.addAll(v.type().shape().symbols());
        for (String s : used)
            if (!parent.contains(s)) throw new IllegalArgumentException("graph " + g.name() + ": dimension " + s + " is bound by no enclosing graph");
        return List.copyOf(used);
    }

    String owner() { return owner; }

    private int ids;
    /** The methods of the elementwise nests split over threads, by nest id ({@link #parallelNest}). */
    private final List<String> nestMethods = new ArrayList<>();

    /** Conv groups -> the max pool each one computes as well ({@link ConvPoolFusion}), and back; set by {@link #write}. */
    private Map<Node, Node> fusedPools = Map.of();
    private final Map<Node, Node> poolGroups = new IdentityHashMap<>();

    /** The max pool node that group {@code n} pools for in its kernel (when it can), or null. */
    Node fusedPool(Node n) { return fusedPools.get(n); }


    /** A number for a field name, unique in this class. */
    int freshId() { return ids++; }

    private void write() {
        cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, owner, null, BindTable.BASE, null);
        cw.visitSource(graph.name() + ".dl-graph", null);
        cw.visitField(ACC_PRIVATE, "in", "[Ljava/lang/Object;", null, null).visitEnd();
        List<String> methods = new ArrayList<>();
        List<Node> nodes = graph.nodes();
        fusedPools = ConvPoolFusion.find(graph, storage);
        for (Map.Entry<Node, Node> e : fusedPools.entrySet()) poolGroups.put(e.getValue(), e.getKey());
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (storage.isView(n)) continue;
            String m = "n" + i + "_" + JvmCompiler.javaName(n.op().name());
            MethodVisitor mv = cw.visitMethod(ACC_PRIVATE, m, "()V", null, null);
            mv.visitCode();
            Label start = new Label(), end = new Label(), handler = new Label();
            mv.visitLabel(start);
            mv.visitInsn(NOP); // the protected range is never empty, even for a node that emits nothing
            emitNode(n, mv);
            mv.visitLabel(end);
            mv.visitInsn(RETURN);
            wrapFailures(mv, n, start, end, handler);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            methods.add(m);
        }
        writeExecute(methods);
        writeRunNest();
        writeConstructorAndCopy();
        bind.emitBind(cw, mv -> bindExtras.forEach(x -> x.accept(mv)));
        bind.emitConstants(cw);
        cw.visitEnd();
        out.put(className, cw.toByteArray());
    }

    /**
     * The kernels report bad values (an index out of range, an integer division by zero) as
     * IllegalArgumentException or ArithmeticException; the node's method rethrows them as an
     * {@link dlc.runtime.OpFailure} naming the op and its source location, as the interpreter does.
     */
    private static void wrapFailures(MethodVisitor mv, Node n, Label start, Label end, Label handler) {
        String failure = BindTable.RT + "OpFailure";
        for (String caught : new String[]{"java/lang/IllegalArgumentException", "java/lang/ArithmeticException"})
            mv.visitTryCatchBlock(start, end, handler, caught);
        mv.visitLabel(handler);
        mv.visitTypeInsn(CHECKCAST, "java/lang/RuntimeException"); // the frame merges both catch types to Object
        mv.visitTypeInsn(NEW, failure);       // cause, failure
        mv.visitInsn(DUP_X1);                 // failure, cause, failure
        mv.visitInsn(SWAP);                   // failure, failure, cause
        mv.visitLdcInsn(failingOp(n));
        mv.visitMethodInsn(INVOKESPECIAL, failure, "<init>", "(Ljava/lang/RuntimeException;Ljava/lang/String;)V", false);
        mv.visitInsn(ATHROW);
    }

    /**
     * "op at file:line:col" for a failure of node {@code n}; in a fusion group, the one inner op
     * that can fail on its values (an integer division or pow) when there is exactly one.
     */
    private static String failingOp(Node n) {
        Node at = n;
        if (n.op() == Ops.FUSION) {
            List<Node> failing = n.regions().get(0).nodes().stream()
                    .filter(m -> m.outputs().size() == 1 && m.output().type().dtype().isInteger()
                            && LoweringTable.of(m).failsOnIntegers())
                    .toList();
            if (failing.size() == 1) at = failing.get(0);
        }
        return at.op().name() + " at " + at.loc();
    }

    private void emitNode(Node n, MethodVisitor mv) {
        Node group = poolGroups.get(n);
        if (group != null) {
            // the pool half of a conv + pool pair: copy what the conv pooled, or pool its result
            GroupPlan.Epilogue ep = (GroupPlan.Epilogue) storage.group(group).steps.get(0);
            ConvLowerings.emitMaxPoolAfterConv(ep.anchor(), ep.act(), n, kernelEmitter(mv));
            return;
        }
        LoweringTable.of(n).accept(n, new TopLevel(mv));
    }

    /** The emitter of a top-level node's method, one case per lowering kind. */
    private final class TopLevel implements Lowering.Visitor<Void> {
        private final MethodVisitor mv;

        TopLevel(MethodVisitor mv) { this.mv = mv; }

        /** A lone elementwise node: a group of one (a loop nest). */
        @Override public Void inline(Node n, Lowering.Inline how) {
            GroupEmitter.emit(ClassEmitter.this, mv, n);
            return null;
        }

        /** A lone reduction: a group of one (a reduction nest). */
        @Override public Void reduction(Node n, Lowering.Reduction how) {
            GroupEmitter.emit(ClassEmitter.this, mv, n);
            return null;
        }

        /** Never reached: an alias is a view, which has no method ({@link StoragePlan#isView}). */
        @Override public Void alias(Node n, Lowering.Alias how) { return null; }

        @Override public Void kernel(Node n, Lowering.KernelCall how) {
            how.code().emit(n, kernelEmitter(mv));
            return null;
        }

        @Override public Void region(Node n, Lowering.Region how) {
            how.code().emit(ClassEmitter.this, mv, n);
            return null;
        }
    }

    /** Emits the kernel call of a node inside a group; any other lowering cannot run there, and says so. */
    void lower(Node n, MethodVisitor mv) {
        Lowering.KernelCall k = LoweringTable.of(n).accept(n, new LoweringTable.Kinds<Lowering.KernelCall>(null) {
            @Override public Lowering.KernelCall kernel(Node node, Lowering.KernelCall how) { return how; }
        });
        if (k == null)
            throw new UnsupportedOperationException("the JVM backend cannot run op " + n.op().name() + " as a kernel call inside a fusion group (at " + n.loc() + ")");
        k.code().emit(n, kernelEmitter(mv));
    }

    KernelEmitter kernelEmitter(MethodVisitor mv) { return new Kernels(mv); }

    /** Pushes the array of a materialized value (cast to float[] or double[]). */
    void array(MethodVisitor mv, Value v) {
        if (narrowFormat(v) != null)
            throw new UnsupportedOperationException("weight " + v.name() + " is stored as " + narrowFormat(v)
                    + ", but an op other than a matmul's right operand reads it; store it as f32");
        Location l = storage.location(v);
        mv.visitVarInsn(ALOAD, 0);
        if (l.kind() == Location.Kind.INPUT) {
            mv.visitFieldInsn(GETFIELD, owner, "in", "[Ljava/lang/Object;");
            BindTable.pushInt(mv, l.index());
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, l.arrayDesc());
        } else {
            mv.visitFieldInsn(GETFIELD, owner, l.isFloat() ? "fs" : "ds", l.isFloat() ? "[[F" : "[[D");
            BindTable.pushInt(mv, l.index());
            mv.visitInsn(AALOAD);
        }
    }

    /** The narrow format of {@code v} when it is a weight input stored narrow, else null. */
    private String narrowFormat(Value v) {
        if (narrow.isEmpty()) return null;
        Location l = storage.location(v);
        return l != null && l.kind() == Location.Kind.INPUT ? narrow.get(graph.inputs().get(l.index()).name()) : null;
    }

    /** A nested class for a scan body; returns its binary name. */
    String nested(Graph body) {
        String name = className + "$" + JvmCompiler.javaName(body.name()) + "_" + nestedCount++;
        new ClassEmitter(body, name, out, bind.symbols, Map.of()).write();
        return name;
    }

    /** Adds a field initialized in the constructor with {@code new type()} (a scan's body instance). */
    void constructorField(String field, String type) {
        cw.visitField(ACC_PRIVATE | ACC_FINAL, field, "L" + type + ";", null, null).visitEnd();
        constructorExtras.add(field + " " + type);
    }

    void addField(String field, String desc) { cw.visitField(ACC_PRIVATE, field, desc, null, null).visitEnd(); }

    /** Work to do at bind time after the buffers are sized. */
    void onBind(java.util.function.Consumer<MethodVisitor> work) { bindExtras.add(work); }

    /**
     * Emits a loop nest as a method of its own over a range of its outer loop,
     * {@code nestK(int from, int to, int part)}, and at its place in {@code mv} a call of
     * {@code CompiledGraph.parallelNest} with its work (elements times the values computed and the
     * buffers accessed per point), which runs it whole on the caller or split over
     * {@code dlc.runtime.Parallel}'s threads by outer index. A reduction's call is
     * {@code parallelReduce}, followed by the finish that combines its parts
     * ({@link NestEmitter#emitSplitReduction}). A nest without a loop is emitted inline.
     */
    void parallelNest(MethodVisitor mv, GroupPlan plan, GroupPlan.Nest nest) {
        NestEmitter.Split split = NestEmitter.split(plan, nest);
        Dim outer = split.outer();
        if (outer == null) {
            new NestEmitter(this, mv, plan, nest).emit();
            return;
        }
        int id = nestMethods.size();
        String name = "nest" + id;
        nestMethods.add(name);
        MethodVisitor nm = cw.visitMethod(ACC_PRIVATE, name, "(III)V", null, null);
        nm.visitCode();
        new NestEmitter(this, nm, plan, nest, true).emit();
        nm.visitInsn(RETURN);
        nm.visitMaxs(0, 0);
        nm.visitEnd();
        if (nest.reduce() != null) {
            new NestEmitter(this, mv, plan, nest).emitSplitReduction(id, split.costPerPoint());
            return;
        }
        mv.visitVarInsn(ALOAD, 0);
        BindTable.pushInt(mv, id);
        bind.dim(mv, outer);
        bind.dim(mv, nest.space().numel());
        mv.visitInsn(I2L);
        mv.visitLdcInsn((long) split.costPerPoint());
        mv.visitInsn(LMUL); // the work: elements times the cost per point
        mv.visitMethodInsn(INVOKEVIRTUAL, owner, "parallelNest", "(IIJ)V", false);
    }

    /** {@code runNest(nest, from, to, part)}: a switch over the nest methods (none: the base class's, which fails). */
    private void writeRunNest() {
        if (nestMethods.isEmpty()) return;
        MethodVisitor mv = cw.visitMethod(ACC_PROTECTED, "runNest", "(IIII)V", null, null);
        mv.visitCode();
        Label fail = new Label();
        Label[] cases = new Label[nestMethods.size()];
        for (int i = 0; i < cases.length; i++) cases[i] = new Label();
        mv.visitVarInsn(ILOAD, 1);
        mv.visitTableSwitchInsn(0, cases.length - 1, fail, cases);
        for (int i = 0; i < cases.length; i++) {
            mv.visitLabel(cases[i]);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitVarInsn(ILOAD, 4);
            mv.visitMethodInsn(INVOKESPECIAL, owner, nestMethods.get(i), "(III)V", false);
            mv.visitInsn(RETURN);
        }
        mv.visitLabel(fail);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ILOAD, 3);
        mv.visitVarInsn(ILOAD, 4);
        mv.visitMethodInsn(INVOKESPECIAL, BindTable.BASE, "runNest", "(IIII)V", false);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private void writeExecute(List<String> methods) {
        MethodVisitor mv = cw.visitMethod(ACC_PROTECTED, "execute", "([Ljava/lang/Object;[Ljava/lang/Object;)V", null, null);
        mv.visitCode();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ALOAD, 1);
        mv.visitFieldInsn(PUTFIELD, owner, "in", "[Ljava/lang/Object;");
        for (String m : methods) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, owner, m, "()V", false);
        }
        List<Graph.Output> outs = graph.outputs();
        for (int i = 0; i < outs.size(); i++) {
            mv.visitVarInsn(ALOAD, 2);
            BindTable.pushInt(mv, i);
            array(mv, outs.get(i).value());
            mv.visitInsn(AASTORE);
        }
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private void writeConstructorAndCopy() {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        mv.visitCode();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitLdcInsn(signatureText());
        mv.visitMethodInsn(INVOKESPECIAL, BindTable.BASE, "<init>", "(Ljava/lang/String;)V", false);
        for (String fe : constructorExtras) {
            String[] p = fe.split(" ");
            mv.visitVarInsn(ALOAD, 0);
            mv.visitTypeInsn(NEW, p[1]);
            mv.visitInsn(DUP);
            mv.visitMethodInsn(INVOKESPECIAL, p[1], "<init>", "()V", false);
            mv.visitFieldInsn(PUTFIELD, owner, p[0], "L" + p[1] + ";");
        }
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        mv = cw.visitMethod(ACC_PUBLIC, "copy", "()L" + BindTable.BASE + ";", null, null);
        mv.visitCode();
        mv.visitTypeInsn(NEW, owner);
        mv.visitInsn(DUP);
        mv.visitMethodInsn(INVOKESPECIAL, owner, "<init>", "()V", false);
        mv.visitInsn(ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private String signatureText() {
        List<Signature.Port> ins = new ArrayList<>(), outs = new ArrayList<>();
        Set<String> inputNames = new HashSet<>();
        for (int i = 0; i < graph.inputs().size(); i++) {
            Value v = graph.inputs().get(i);
            String name = v.name() != null ? v.name() : "in" + i;
            inputNames.add(name);
            ins.add(new Signature.Port(name, narrow.getOrDefault(name, v.type().dtype().text()), dims(v.type().shape()), v.role().name(), null));
        }
        for (Graph.Output o : graph.outputs()) {
            String updates = o.role() == Graph.Output.Role.UPDATE && inputNames.contains(o.name()) ? o.name() : null;
            outs.add(new Signature.Port(o.name(), o.value().type().dtype().text(), dims(o.value().type().shape()), o.role().name(), updates));
        }
        return Signature.format(bind.symbols, ins, outs);
    }

    private static String[] dims(Shape s) {
        String[] d = new String[s.rank()];
        for (int i = 0; i < d.length; i++) d[i] = s.dim(i).toString();
        return d;
    }

    /** The KernelEmitter handed to lowerings. */
    private final class Kernels implements KernelEmitter {
        private final MethodVisitor mv;

        Kernels(MethodVisitor mv) { this.mv = mv; }

        @Override public MethodVisitor mv() { return mv; }

        @Override public void array(Value v) { ClassEmitter.this.array(mv, v); }

        @Override public void offset(Value v) { mv.visitInsn(ICONST_0); }

        @Override public Value transposedSource(Value v) { return storage.transposedSource(v); }

        @Override public boolean isNarrow(Value v) { return narrowFormat(v) != null; }

        @Override public void narrow(Value v) {
            if (narrowFormat(v) == null) throw new UnsupportedOperationException(v + " is not a narrow weight");
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, owner, "in", "[Ljava/lang/Object;");
            BindTable.pushInt(mv, storage.location(v).index());
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, "dlc/runtime/NarrowMatrix");
        }

        @Override public void dim(Dim d) { bind.dim(mv, d); }

        @Override public void shape(Shape s) { bind.shape(mv, s); }

        @Override public void pushInt(int v) { BindTable.pushInt(mv, v); }

        @Override public void pushLong(long v) { mv.visitLdcInsn(v); }

        @Override public void pushDouble(double v) { mv.visitLdcInsn(v); }

        @Override public void ints(int[] values) { bind.constant(mv, values.clone()); }

        @Override public void doubles(double[] values) { bind.constant(mv, values.clone()); }

        @Override public void scratch(DType dtype, Dim numel, int slot) {
            int k = bind.scratchSlot(dtype, numel, slot);
            boolean f = KernelEmitter.isFloat(dtype);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, owner, f ? "fs" : "ds", f ? "[[F" : "[[D");
            BindTable.pushInt(mv, k);
            mv.visitInsn(AALOAD);
        }

        @Override public void invoke(Class<?> owner, String method, String descriptor) {
            mv.visitMethodInsn(INVOKESTATIC, owner.getName().replace('.', '/'), method, descriptor, false);
        }
    }
}
