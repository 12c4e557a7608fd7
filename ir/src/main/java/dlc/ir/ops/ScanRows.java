package dlc.ir.ops;

import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.OpDef;
import dlc.ir.OpTrait;
import dlc.ir.Shape;
import dlc.ir.Value;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a scan computes each row of a batch axis on its own: the symbol {@code B} such that
 * every carry, every step slice of an x and every y has {@code B} rows first, every captured
 * operand either has them first too (an attention decoder's encoder outputs, {@code [B, S, H]}:
 * each part reads its own rows) or does not mention {@code B} at all (the weights), and the
 * body's ops never mix two rows (elementwise
 * ops, reductions and concatenations over other axes, a matmul whose batch rows are those rows,
 * reshapes that keep the rows). Such a scan can run its rows in independent parts, each part's
 * body instance bound to fewer rows, with every element computed exactly as in the whole: the
 * JVM backend splits an LSTM's recurrence over threads this way instead of splitting each step's
 * small GEMM.
 *
 * <p>Conservative by construction: an op not listed here (gather, random draws, pooling, a
 * nested scan ...) answers "no", as does a batch given by a number rather than a symbol (a body
 * bound to fewer rows needs the symbol).
 */
public final class ScanRows {
    private ScanRows() {}

    /** How a value relates to the batch rows. */
    private enum Rows {
        /** Axis 0 holds the batch rows, and row i depends only on row i of the scan's row operands. */
        ROWS,
        /** Depends on no row operand, and its shape does not mention the batch symbol. */
        FREE
    }

    /** The batch symbol of scan node {@code scan}, when its rows can run in independent parts. */
    public static Optional<String> batchSymbol(Node scan) {
        if (scan.op() != Ops.SCAN) return Optional.empty();
        long carries = scan.attrs().getLong("num_carries"), xs = scan.attrs().getLong("num_xs");
        Graph body = scan.regions().get(0);
        if (carries + xs == 0 || body.inputs().size() != scan.inputs().size()) return Optional.empty();
        Dim rows = body.inputs().get(0).type().shape().rank() == 0 ? null : body.inputs().get(0).type().shape().dim(0);
        if (rows == null || rows.isConst() || rows.symbols().size() != 1 || !rows.equals(Dim.sym(rows.symbols().iterator().next())))
            return Optional.empty();
        String symbol = rows.symbols().iterator().next();
        // xs are scanned over an axis after the rows: the slice of step t keeps the rows first
        long axis = scan.attrs().has("axis") ? scan.attrs().getLong("axis") : 0;
        for (int i = (int) carries; i < carries + xs; i++) {
            int rank = scan.input(i).type().rank();
            if ((axis < 0 ? axis + rank : axis) < 1) return Optional.empty();
        }
        for (Value y : scan.outputs().subList((int) carries, scan.outputs().size())) {
            int rank = y.type().rank();
            if ((axis < 0 ? axis + rank : axis) < 1) return Optional.empty();
        }
        Map<Value, Rows> of = new HashMap<>();
        for (int i = 0; i < body.inputs().size(); i++) {
            Value in = body.inputs().get(i);
            Rows r = i < carries + xs || hasRows(in, symbol) ? Rows.ROWS : Rows.FREE;
            if (!fits(in, r, rows, symbol)) return Optional.empty();
            of.put(in, r);
        }
        if (!walk(body, of, rows, symbol)) return Optional.empty();
        for (Value out : body.outputValues()) if (of.get(out) != Rows.ROWS) return Optional.empty();
        return Optional.of(symbol);
    }

    /** Classifies every node's outputs of {@code g} (its inputs already in {@code of}); false at the first op that could mix rows. */
    private static boolean walk(Graph g, Map<Value, Rows> of, Dim rows, String symbol) {
        for (Node n : g.nodes()) {
            Rows r = classify(n, of, rows, symbol);
            if (r == null) return false;
            for (Value out : n.outputs()) {
                if (!fits(out, r, rows, symbol)) return false;
                of.put(out, r);
            }
        }
        return true;
    }

    /** The rows of {@code n}'s outputs, or null when it may mix rows (or is not understood). */
    private static Rows classify(Node n, Map<Value, Rows> of, Dim rows, String symbol) {
        OpDef op = n.op();
        boolean any = false;
        for (Value in : n.inputs()) any |= of.get(in) == Rows.ROWS;
        if (op.is(OpTrait.RANDOM) || op == Ops.SCAN || op == Ops.IOTA) return null;
        if (op == Ops.FUSION) {
            Graph region = n.regions().get(0);
            Map<Value, Rows> inner = new HashMap<>();
            for (int i = 0; i < n.inputs().size(); i++) inner.put(region.inputs().get(i), of.get(n.input(i)));
            if (!walk(region, inner, rows, symbol)) return null;
            // a group's outputs may differ: each gets its own, checked by the caller against one answer
            Rows out = null;
            for (Value y : region.outputValues()) {
                Rows r = inner.get(y);
                if (out != null && r != out) return null;
                out = r;
            }
            return out;
        }
        if (!any) {
            // nothing from the rows: a splat constant or a broadcast of a free value may still be given the rows' shape
            boolean mentions = n.outputs().stream().anyMatch(v -> v.type().shape().symbols().contains(symbol));
            if (!mentions) return Rows.FREE;
            return op == Ops.CONSTANT || op == Ops.BROADCAST_TO ? Rows.ROWS : null;
        }
        int rank = n.output().type().rank();
        if (op.kind() == OpDef.Kind.ELEMENTWISE) {
            // every row operand aligned with the result's axis 0; free operands broadcast over the rows
            for (Value in : n.inputs()) if (of.get(in) == Rows.ROWS && in.type().rank() != rank) return null;
            return Rows.ROWS;
        }
        Value x = n.input(0);
        int xr = x.type().rank();
        if (op.is(OpTrait.REDUCTION))
            return contains(n.attrs().getLongs("axes"), xr, 0) ? null : Rows.ROWS;
        if (op == Ops.ARGMAX || op == Ops.ARGMIN)
            return norm(n.attrs().getLong("axis"), xr) == 0 ? null : Rows.ROWS;
        if (op == Ops.STOP_GRADIENT) return Rows.ROWS;
        if (op == Ops.PERMUTE) return n.attrs().getLongs("perm")[0] == 0 ? Rows.ROWS : null;
        // a reshape that keeps the rows first moves nothing between rows (row-major order); a
        // broadcast keeps them when the operand's axis 0 stays the result's axis 0
        if (op == Ops.RESHAPE) return rank > 0 && n.output().type().shape().dim(0).equals(rows) ? Rows.ROWS : null;
        if (op == Ops.BROADCAST_TO) return xr == rank ? Rows.ROWS : null;
        if (op == Ops.SLICE) {
            // the rows kept whole: the same extent, by steps of 1
            Shape s = n.output().type().shape();
            return s.dim(0).equals(rows) && n.attrs().getLongs("steps")[0] == 1 ? Rows.ROWS : null;
        }
        if (op == Ops.CONCAT) {
            for (Value in : n.inputs()) if (of.get(in) != Rows.ROWS) return null;
            return norm(n.attrs().getLong("axis"), rank) == 0 ? null : Rows.ROWS;
        }
        if (op == Ops.MATMUL) {
            Value a = n.input(0), b = n.input(1);
            int ra = a.type().rank(), rb = b.type().rank();
            boolean rowsA = of.get(a) == Rows.ROWS, rowsB = of.get(b) == Rows.ROWS;
            // rows of A times a free B; or a batched product whose batch axis 0 is the rows
            if (rowsA && !rowsB) return ra >= 2 && rb <= ra ? Rows.ROWS : null;
            if (!rowsA) return rb >= 3 && ra <= rb ? Rows.ROWS : null;
            return ra >= 3 && ra == rb ? Rows.ROWS : null;
        }
        return null;
    }

    /**
     * Whether operand {@code v} of a scan whose rows are {@code symbol} ({@link #batchSymbol})
     * holds those rows (first): every carry and x does, a captured operand when its shape
     * mentions the symbol.
     */
    public static boolean hasRows(Value v, String symbol) { return v.type().shape().symbols().contains(symbol); }

    /** Whether {@code v}'s shape is what {@code r} says: the rows at axis 0 and nowhere else, or no rows at all. */
    private static boolean fits(Value v, Rows r, Dim rows, String symbol) {
        List<Dim> dims = v.type().shape().dims();
        if (r == Rows.FREE) return dims.stream().noneMatch(d -> d.symbols().contains(symbol));
        if (dims.isEmpty() || !dims.get(0).equals(rows)) return false;
        return dims.subList(1, dims.size()).stream().noneMatch(d -> d.symbols().contains(symbol));
    }

    private static boolean contains(long[] axes, int rank, int axis) {
        for (long a : axes) if (norm(a, rank) == axis) return true;
        return false;
    }

    private static int norm(long axis, int rank) { return (int) (axis < 0 ? axis + rank : axis); }
}
