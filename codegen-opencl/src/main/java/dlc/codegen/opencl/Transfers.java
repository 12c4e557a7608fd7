package dlc.codegen.opencl;

/**
 * What an executor has moved so far: host-to-device writes, device-to-host reads, and copies
 * within the device (between arenas or within one). Counted when enqueued; {@link #minus} gives
 * the traffic of one stretch of work (a training step, say).
 *
 * @param uploads       writes from the host
 * @param uploadBytes   bytes written from the host
 * @param downloads     reads to the host
 * @param downloadBytes bytes read to the host
 * @param copies        copies on the device
 * @param copyBytes     bytes copied on the device
 */
public record Transfers(long uploads, long uploadBytes, long downloads, long downloadBytes, long copies, long copyBytes) {
    public static final Transfers NONE = new Transfers(0, 0, 0, 0, 0, 0);

    /** The traffic since {@code earlier}. */
    public Transfers minus(Transfers earlier) {
        return new Transfers(uploads - earlier.uploads, uploadBytes - earlier.uploadBytes, downloads - earlier.downloads,
                downloadBytes - earlier.downloadBytes, copies - earlier.copies, copyBytes - earlier.copyBytes);
    }

    Transfers upload(long bytes) { return new Transfers(uploads + 1, uploadBytes + bytes, downloads, downloadBytes, copies, copyBytes); }

    Transfers download(long bytes) { return new Transfers(uploads, uploadBytes, downloads + 1, downloadBytes + bytes, copies, copyBytes); }

    Transfers copy(long bytes) { return new Transfers(uploads, uploadBytes, downloads, downloadBytes, copies + 1, copyBytes + bytes); }

    @Override public String toString() {
        return uploads + " uploads (" + uploadBytes + " bytes), " + downloads + " downloads (" + downloadBytes + " bytes), "
                + copies + " device copies (" + copyBytes + " bytes)";
    }
}
