package dlc.ir.ops;

import dlc.ir.OpDef;

import java.util.List;

final class ContractionOps {
    private ContractionOps() {}

    static final List<OpDef> ALL = List.of();
}
