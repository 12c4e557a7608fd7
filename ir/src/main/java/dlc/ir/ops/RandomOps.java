package dlc.ir.ops;

import dlc.ir.OpDef;

import java.util.List;

final class RandomOps {
    private RandomOps() {}

    static final List<OpDef> ALL = List.of();
}
