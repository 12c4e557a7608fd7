package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.text.IrParser;
import dlc.runtime.CompiledGraph;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** UPDATE outputs are written into the arrays of the inputs they update when that is safe. */
class DonationTest {
    private static final String ADAM = """
            graph step(param %p: f32[4, 3], state %m: f32[4, 3], state %v: f32[4, 3], %g: f32[4, 3]) {
              %b1 = constant() {dtype=f32, shape=<>, values=[0.9]} : f32[]
              %b2 = constant() {dtype=f32, shape=<>, values=[0.999]} : f32[]
              %lr = constant() {dtype=f32, shape=<>, values=[0.01]} : f32[]
              %e = constant() {dtype=f32, shape=<>, values=[1e-8]} : f32[]
              %0 = mul(%m, %b1) : f32[4, 3]
              %1 = sub(%b1, %b1) : f32[]
              %2 = mul(%g, %lr) : f32[4, 3]
              %m1 = add(%0, %2) : f32[4, 3]
              %3 = mul(%g, %g) : f32[4, 3]
              %vv = mul(%v, %v) : f32[4, 3]
              %4 = mul(%vv, %b2) : f32[4, 3]
              %v1 = add(%4, %3) : f32[4, 3]
              %5 = sqrt(%v1) : f32[4, 3]
              %6 = add(%5, %e) : f32[4, 3]
              %7 = div(%m1, %6) : f32[4, 3]
              %8 = mul(%7, %lr) : f32[4, 3]
              %p1 = sub(%p, %8) : f32[4, 3]
              %s = sum(%p1) {axes=[0, 1], keepdims=false} : f32[]
              update p = %p1
              update m = %m1
              update v = %v1
              loss s = %s
            }
            """;

    @Test void adamUpdatesInPlaceAndAgrees() {
        Graph g = IrParser.parseGraph(ADAM);
        Agreement.check(g, Map.of(), 3, true);
        CompiledGraph cg = JvmCompiler.compile(g, "dlc.gen.Adam").instantiate();
        Object[] in = {new float[12], new float[12], new float[12], new float[12]};
        java.util.Arrays.fill((float[]) in[3], 1f);
        Object[] out = cg.run(in, new long[0]);
        assertSame(in[0], out[0], "p updated in place");
        assertSame(in[1], out[1], "m updated in place");
        assertSame(in[2], out[2], "v updated in place (read only at the point written)");
        assertNotSame(in[3], out[3]);
        assertEquals(-0.01f * 0.01f / (1f + 1e-8f), ((float[]) in[0])[5], 1e-9);
    }

    @Test void noDonationWhenTheInputIsReadLater() {
        Graph g = IrParser.parseGraph("""
                graph step(param %p: f32[3], %g: f32[3]) {
                  %p1 = sub(%p, %g) : f32[3]
                  %q = mul(%p, %p1) : f32[3]
                  update p = %p1
                  output q = %q
                }
                """);
        // unoptimized, the update and the later read are separate nodes: p must survive the update
        CompiledGraph cg = JvmCompiler.generate(g, "dlc.gen.Late").instantiate();
        Object[] in = {new float[]{1, 2, 3}, new float[]{1, 1, 1}};
        Object[] out = cg.run(in, new long[0]);
        assertNotSame(in[0], out[0]);
        assertArrayEquals(new float[]{0, 2, 6}, (float[]) out[1]);
        Agreement.check(g, Map.of(), 5, false);
        Agreement.check(g, Map.of(), 5, true);
    }
}
