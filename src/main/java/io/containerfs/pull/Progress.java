package io.containerfs.pull;

/**
 * Where the download and the extraction report how far they are; the command line decides how
 * that looks (a progress bar on a terminal, one line per step otherwise, or nothing).
 */
public interface Progress {
    /** Reports nothing. (Classes, not lambdas: a lambda is spun at its first use, a millisecond or so.) */
    Progress NONE = new Progress() {
        @Override
        public Task start(String what, long total) {
            return Task.NONE;
        }
    };

    /** Starts a step of {@code total} bytes, e.g. "downloading alpine-minirootfs-3.20.3-x86_64.tar.gz". */
    Task start(String what, long total);

    /** One step under way; closing it ends the bar or the line. */
    interface Task extends AutoCloseable {
        /** Reports nothing. */
        Task NONE = new Task() {
            @Override
            public void advanceTo(long done) {}

            @Override
            public void close() {}
        };

        void advanceTo(long done);

        @Override
        void close();
    }
}
