package dlc.examples;

import dlc.codegen.jvm.JvmCompiler;
import dlc.frontend.Frontend;
import dlc.ir.*;
import dlc.runtime.CompiledGraph;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.*;

public class ProbeTest {
    @Test public void probe() {
        String file = System.getProperty("probe.file", "mlp_fashion.dl");
        String graph = System.getProperty("probe.graph", "step");
        long b = Long.getLong("probe.B", 128);
        var c = Frontend.compile(Path.of(file), null);
        Graph g = c.module().graph(graph).get();
        long t0 = System.nanoTime();
        CompiledGraph cg = JvmCompiler.load(g);
        System.out.printf("compile %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        List<String> syms = cg.signature().symbols();
        long[] sv = new long[syms.size()];
        Arrays.fill(sv, b);
        for (String kv : System.getProperty("probe.dims", "").split(",")) if (!kv.isEmpty()) sv[syms.indexOf(kv.split("=")[0])] = Long.parseLong(kv.split("=")[1]);
        Object[] in = new Object[g.inputs().size()];
        Random r = new Random(1);
        for (int i = 0; i < in.length; i++) {
            var p = cg.signature().inputs().get(i);
            int n = p.numel(cg.signature(), sv);
            if (p.dtype().equals("f32")) { float[] f = new float[n]; for (int k = 0; k < n; k++) f[k] = (float) (r.nextGaussian() * 0.05); in[i] = f; }
            else { double[] d = new double[n]; for (int k = 0; k < n; k++) d[k] = r.nextInt(3); in[i] = d; }
        }
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int rep = 0; rep < 5; rep++) {
            int iters = 200;
            long a0 = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            long s = System.nanoTime();
            for (int i = 0; i < iters; i++) cg.run(in, sv);
            long e = System.nanoTime();
            long a1 = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            System.out.printf("%s %s B=%d: %.3f ms/step, %d bytes/step%n", file, graph, b, (e - s) / 1e6 / iters, (a1 - a0) / iters);
        }
    }
}
