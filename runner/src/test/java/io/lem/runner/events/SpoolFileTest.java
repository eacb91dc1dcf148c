package io.lem.runner.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpoolFileTest {
    @TempDir
    Path dir;

    @Test
    void dropsVerifiedPrefixKeepingLogicalPositions() throws Exception {
        SpoolFile spool = SpoolFile.open(dir, "exp/1", 0);
        spool.append(0, bytes("aaaa"));
        spool.append(1, bytes("bb"));
        spool.append(2, bytes("cccccc"));
        assertThat(spool.end()).isEqualTo(5 + 3 + 7);

        spool.dropPrefix(5);
        assertThat(spool.dropped()).isEqualTo(5);
        assertThat(read(spool, 5, 10)).isEqualTo("bb\ncccccc\n");
        assertThat(Files.readString(spool.path())).isEqualTo("bb\ncccccc\n");

        spool.append(3, bytes("d"));
        assertThat(read(spool, 15, 2)).isEqualTo("d\n");
        spool.dropPrefix(spool.end());
        assertThat(Files.size(spool.path())).isZero();
        spool.append(4, bytes("e"));
        assertThat(read(spool, 17, 2)).isEqualTo("e\n");
        assertThat(spool.firstSeq()).isZero();
        assertThat(spool.lastSeq()).isEqualTo(4);
        spool.delete();
        assertThat(spool.path()).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).as("lock file released").isEmpty();
        }
    }

    @Test
    void linesOfAnyLengthGoInWholeAndInOrder() throws Exception {
        SpoolFile spool = SpoolFile.open(dir, "exp", 3);
        String longLine = "x".repeat(200_000); // beyond the reused line buffer
        spool.append(0, bytes("short"));
        spool.append(1, bytes(longLine));
        spool.append(2, bytes("after"));
        assertThat(spool.end()).isEqualTo(6 + longLine.length() + 1 + 6);
        assertThat(Files.readString(spool.path())).isEqualTo("short\n" + longLine + "\nafter\n");
        spool.close();
    }

    @Test
    void heldLinesReachTheFileTogetherOnRelease() throws Exception {
        SpoolFile spool = SpoolFile.open(dir, "exp", 4);
        spool.append(0, bytes("before"));
        spool.hold();
        spool.append(1, bytes("one"));
        spool.append(2, bytes("two"));
        // gathered in memory: not in the file, not visible to the delivery thread
        assertThat(Files.readString(spool.path())).isEqualTo("before\n");
        assertThat(spool.end()).isEqualTo(7);
        assertThat(spool.lastSeq()).isZero();
        assertThatThrownBy(() -> spool.append(4, bytes("gap"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got seq 4 after 2");
        spool.release();
        assertThat(Files.readString(spool.path())).isEqualTo("before\none\ntwo\n");
        assertThat(spool.end()).isEqualTo(15);
        assertThat(spool.firstSeq()).isZero();
        assertThat(spool.lastSeq()).isEqualTo(2);

        // released: each append is written at once again
        spool.append(3, bytes("three"));
        assertThat(spool.lastSeq()).isEqualTo(3);
        // held lines are written before a line too long for the buffer, before an fsync and at the seal
        spool.hold();
        spool.append(4, bytes("four"));
        String longLine = "y".repeat(100_000);
        spool.append(5, bytes(longLine));
        assertThat(spool.lastSeq()).isEqualTo(5);
        spool.append(6, bytes("six"));
        spool.force();
        assertThat(spool.lastSeq()).isEqualTo(6);
        spool.append(7, bytes("seven"));
        spool.seal();
        assertThat(Files.readString(spool.path()))
                .isEqualTo("before\none\ntwo\nthree\nfour\n" + longLine + "\nsix\nseven\n");
        assertThat(spool.lastSeq()).isEqualTo(7);
        assertThat(spool.end()).isEqualTo(Files.size(spool.path()));
        spool.close();
    }

    @Test
    void aSecondSpoolOfAnOpenProcessIsRefused() throws Exception {
        SpoolFile first = SpoolFile.open(dir, "exp", 0);
        assertThatThrownBy(() -> SpoolFile.open(dir, "exp", 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in use by another open event sink");
        SpoolFile other = SpoolFile.open(dir, "exp", 1);
        other.close();
        first.close();
        SpoolFile.open(dir, "exp", 0).close();
    }

    @Test
    void rejectsSeqsOutOfOrderAndAppendsAfterSeal() throws Exception {
        SpoolFile spool = SpoolFile.open(dir, "exp", 0);
        spool.append(10, bytes("x"));
        assertThatThrownBy(() -> spool.append(12, bytes("y"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seq 12 after 10");
        spool.seal();
        assertThatThrownBy(() -> spool.append(11, bytes("y"))).isInstanceOf(IllegalStateException.class);
        spool.close();
    }

    @Test
    void setsAsideALeftoverSpoolOfTheSameProcessOnly() throws Exception {
        Path mine = SpoolFile.pathFor(dir, "exp a/b", 2);
        Path other = SpoolFile.pathFor(dir, "exp a/b", 12);
        assertThat(mine.getFileName().toString()).isEqualTo("exp+a%2Fb.p2.spool.jsonl");
        Files.writeString(mine, "{}\n");
        Files.writeString(other, "{}\n");

        List<Path> leftovers = SpoolFile.setAsideLeftovers(dir, "exp a/b", 2);
        assertThat(leftovers).hasSize(1);
        assertThat(leftovers.get(0).getFileName().toString()).startsWith("exp+a%2Fb.p2.recovered-")
                .endsWith(".spool.jsonl");
        assertThat(mine).doesNotExist();
        assertThat(other).exists();
        // A second sink finds the same leftover still waiting.
        assertThat(SpoolFile.setAsideLeftovers(dir, "exp a/b", 2)).isEqualTo(leftovers);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(SpoolFile spool, long position, int length) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && spool.read(position + buffer.position(), buffer) > 0) {
            // keep reading
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
