package dlc.onnx;

import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ops and patterns the examples do not reach, each exported and run by ONNX Runtime against
 * the float64 interpreter, then imported back and run again.
 */
class ExportOpsTest {
    /** Exports a model, checks ORT against the interpreter and the round trip; returns the imported source. */
    static String agree(String source, Map<String, Long> dims) throws Exception {
        Module m = Models.lowerSource("ops.dl", source);
        Graph g = m.graph("eval").orElseThrow();
        Map<String, Tensor> w = Models.weights(m);
        byte[] onnx = OnnxExporter.export(g, w, m.name()).toByteArray();
        Map<String, Tensor> in = Models.inputs(g, Models.dims(g, dims), 11);
        Map<String, Tensor> want = Models.reference(g, w, in);
        Agreement.assertClose(want, Ort.run(onnx, in), "ONNX Runtime");
        OnnxImporter.Result r = OnnxImporter.convert(OnnxImporter.parse(onnx, "ops.onnx"), m.name());
        Graph back = Models.lowerSource("imported.dl", r.source()).graph("eval").orElseThrow();
        Map<String, Tensor> inBack = new HashMap<>();
        for (Value v : back.inputs(Value.Role.INPUT)) inBack.put(v.name(), in.get(v.name()));
        Agreement.assertClose(want, Models.reference(back, r.weights(), inBack), "round trip\n" + r.source());
        return r.source();
    }

    @Test void arithmeticIntegerDivisionAndRemainders() throws Exception {
        agree("""
                model Arith {
                  input x: f32[B, 6]
                  k = cast(x * 4.0, i32)
                  d = constant([3, -2, 5, -4, 7, 2], dtype=i32)
                  output floor_div = k / d
                  output floor_mod = k % d
                  output tdiv = trunc_div(k, d)
                  output tmod = trunc_mod(k, d)
                  output fmod = x % 0.75
                  output ftdiv = trunc_div(x * 3.0, 0.7)
                  output math = log1p(abs(x)) + expm1(x * 0.1) + rsqrt(abs(x) + 1.0) + pow(abs(x), 1.5) - sign(x) * floor(x)
                  output cmp = where(x != 0.5 and x > -1.0, maximum(x, 0.25), minimum(x, -0.25))
                }
                """, Map.of());
    }

    @Test void movementOps() throws Exception {
        String src = agree("""
                model Moves {
                  input x: f32[B, T, 6]
                  input idx: i32[4]
                  r = reverse(x, 1)
                  output sliced = x[:, 1:, ::2]
                  output last = x[:, -1]
                  output padded = pad(r, [(1, 2), (0, 1)], value=-1.5)
                  output joined = concat([x, r], axis=2)
                  output picked = gather(x, idx, axis=2)
                  output moved = permute(x, [2, 0, 1])
                  output wide = broadcast_to(reshape(x[:, 0, :], [B, 1, 6]), [B, 3, 6])
                  output flat = reshape(x, [B * T, 6])
                  output pos = iota([B, T], 1, dtype=f32) + sum(x, axis=2)
                  output best = argmax(x, axis=2)
                  output stats = max(x, axis=[1, 2]) - min(x, axis=1)[:, 0] + mean(x, axis=[0, 1, 2])
                }
                """, Map.of("T", 5L));
        assertTrue(src.contains("input x: f32[B, T, 6]"), src);
    }

    @Test void convolutionsPoolingAndResize() throws Exception {
        agree("""
                model Images {
                  input x: f32[B, 2, 6, 6]
                  param w: f32[4, 2, 3, 3] = normal(0.0, 0.3)
                  param wt: f32[4, 3, 2, 2] = normal(0.0, 0.3)
                  param g: f32[4, 1, 3, 3] = normal(0.0, 0.3)
                  c = conv2d(x, w, stride=(2, 1), padding=(1, 0, 2, 1), dilation=(1, 2))
                  output grouped = conv2d(x, w, padding=1) + conv2d(conv2d(x, w, padding=1), g, padding="same", groups=4)
                  output up = conv_transpose2d(c, wt, stride=2, padding=(0, 1, 1, 0), output_padding=1)
                  output pooled = max_pool2d(x, 3, stride=2, padding=1) + avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=false)
                  output avg = avg_pool2d(x, (2, 3), stride=(1, 2))
                  output near = resize(x, (12, 18))
                  output bil = resize(x, (12, 12), mode="bilinear")
                }
                """, Map.of());
    }

    @Test void anOpWithoutOnnxFormNamesTheOpAndTheLine() {
        Module m = Models.lowerSource("noise.dl", """
                model Noise {
                  input x: f32[B, 3]
                  output y = x + normal([B, 3])
                }
                """);
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxExporter.export(m.graph("eval").orElseThrow(), Map.of(), m.name()));
        assertTrue(e.getMessage().matches("op '[a-z_]+' at noise\\.dl:3:\\d+ has no ONNX form: .*"), e.getMessage());
    }
}
