package io.lem.aggregator.app;

import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * For {@link RocksDbLibraryTest}, in a JVM of its own (the library loads once per JVM): loads RocksDB's library from
 * the directory given ({@code -}: RocksDB's own loader), writes and reads a key in a database, prints where the
 * library came from, then waits to be killed. Arguments: library directory, database directory.
 */
public final class RocksDbLibraryMain {
    private RocksDbLibraryMain() {
    }

    public static void main(String[] args) throws Exception {
        Path loaded = RocksDbLibrary.load("-".equals(args[0]) ? null : Path.of(args[0]));
        try (Options options = new Options().setCreateIfMissing(true);
             RocksDB db = RocksDB.open(options, args[1])) {
            db.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
            System.out.println("value=" + new String(db.get("k".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        }
        System.out.println("loaded-from=" + loaded);
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            maps.filter(line -> line.contains("rocksdbjni")).map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .distinct().forEach(file -> System.out.println("mapped=" + file));
        }
        System.out.println("ready");
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
