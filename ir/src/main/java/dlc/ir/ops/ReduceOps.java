package dlc.ir.ops;

import dlc.ir.OpDef;

import java.util.List;

final class ReduceOps {
    private ReduceOps() {}

    static final List<OpDef> ALL = List.of();
}
