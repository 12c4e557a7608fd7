package dlc.codegen.opencl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Discovery on the machine's platform, and the default pick and selection rules on made-up device lists. */
class DevicesTest {
    private static ClDevice fake(int index, String name, ClDevice.Type type) {
        return new ClDevice(index, 0, "P", name, type, 4, 1L << 30, 1L << 28, 65536, 256, "OpenCL 3.0", "1", true, 1, 100 + index);
    }

    private static final List<ClDevice> MIXED = List.of(fake(0, "Intel Xeon", ClDevice.Type.CPU),
            fake(1, "Some Accelerator", ClDevice.Type.ACCELERATOR), fake(2, "NVIDIA H100", ClDevice.Type.GPU),
            fake(3, "NVIDIA A100", ClDevice.Type.GPU));

    @Test void discoversTheMachinesDevicesWithTheirProperties() {
        ClDevice picked = OpenClTestSupport.device();
        List<ClDevice> all = Devices.list();
        assertFalse(all.isEmpty());
        for (int i = 0; i < all.size(); i++) {
            ClDevice d = all.get(i);
            assertEquals(i, d.index());
            assertFalse(d.name().isBlank(), d.toString());
            assertFalse(d.platformName().isBlank(), d.toString());
            assertTrue(d.computeUnits() > 0, d.toString());
            assertTrue(d.globalMemBytes() > 0 && d.maxAllocBytes() > 0 && d.maxAllocBytes() <= d.globalMemBytes(), d.toString());
            assertTrue(d.maxWorkGroupSize() >= 1, d.toString());
            assertTrue(d.openclVersion().startsWith("OpenCL "), d.openclVersion());
        }
        assertTrue(all.contains(picked));
    }

    @Test void theDefaultIsTheFirstGpuThenAcceleratorThenCpu() {
        assertEquals("NVIDIA H100", Devices.pickDefault(MIXED).name());
        assertEquals("Some Accelerator", Devices.pickDefault(MIXED.subList(0, 2)).name());
        assertEquals("Intel Xeon", Devices.pickDefault(MIXED.subList(0, 1)).name());
        assertEquals("Odd", Devices.pickDefault(List.of(fake(0, "Odd", ClDevice.Type.OTHER))).name());
    }

    @Test void selectsByIndexKindOrNameSubstring() {
        assertEquals("NVIDIA H100", Devices.select(MIXED, null).name());
        assertEquals("NVIDIA H100", Devices.select(MIXED, " ").name());
        assertEquals("Intel Xeon", Devices.select(MIXED, "0").name());
        assertEquals("NVIDIA A100", Devices.select(MIXED, "3").name());
        assertEquals("Intel Xeon", Devices.select(MIXED, "cpu").name());
        assertEquals("NVIDIA H100", Devices.select(MIXED, "GPU").name());
        assertEquals("NVIDIA A100", Devices.select(MIXED, "a100").name());
        assertEquals("NVIDIA H100", Devices.select(MIXED, "nvidia").name());
    }

    @Test void aMissingDeviceIsOneLineNamingWhatExists() {
        String index = assertThrows(OpenClException.class, () -> Devices.select(MIXED, "4")).getMessage();
        assertEquals("no OpenCL device 4: there are 4 devices (0 to 3); dlc devices lists them", index);
        String huge = assertThrows(OpenClException.class, () -> Devices.select(MIXED, "99999999999")).getMessage();
        assertTrue(huge.startsWith("no OpenCL device 99999999999: there are 4 devices"), huge);
        String kind = assertThrows(OpenClException.class, () -> Devices.select(MIXED.subList(0, 1), "gpu")).getMessage();
        assertEquals("no OpenCL device of type gpu (found: 0 Intel Xeon (cpu)); dlc devices lists them", kind);
        String name = assertThrows(OpenClException.class, () -> Devices.select(MIXED, "radeon")).getMessage();
        assertTrue(name.startsWith("no OpenCL device whose name contains 'radeon' (found: 0 Intel Xeon (cpu), 1 Some Accelerator"), name);
        assertFalse(name.contains("\n"));
    }
}
