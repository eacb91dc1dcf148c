package io.lem.aggregator.app;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Kafka Streams application ids of the aggregator, and the rule that keeps them apart.
 *
 * <p>An application id names the consumer group and prefixes every internal topic ({@code <appId>-<store>-changelog},
 * {@code <appId>-<name>-repartition}). Kafka's StreamsResetter (and {@link Replay#deleteKafkaState}) removes internal
 * topics by the prefix {@code <appId>-}; so if one id were a prefix of another, resetting the shorter one could delete
 * the longer one's topics. <b>The rule: no aggregator application id is a prefix of another one.</b>
 *
 * <ul>
 *   <li>Live aggregators use {@link #LIVE_DEFAULT} ({@code lem-aggregator}) or a user-chosen id that
 *       {@link #validateLive} accepts: Kafka's topic characters, not in the replay namespace, and not a prefix of
 *       {@link #REPLAY_PREFIX} (ids such as {@code lem}, {@code lem-} or {@code lem-re} would prefix every replay id).</li>
 *   <li>Replays use {@code lem-replay.<yyyyMMddHHmmss>.<8 hex digits>} (UTC), see {@link #newReplayId()}. All replay ids
 *       have the same length ({@value #REPLAY_ID_LENGTH} characters), so two different replay ids are never prefixes of
 *       each other, and the {@code .} after {@code lem-replay} means no replay id starts with {@code lem-aggregator}
 *       or any other live id, nor the other way round.</li>
 *   <li>Ids found on a cluster that do not follow these forms are checked pairwise with {@link #conflicts}.</li>
 * </ul>
 */
public final class ApplicationIds {
    /** The application id of the live aggregator unless configured otherwise. */
    public static final String LIVE_DEFAULT = "lem-aggregator";
    /** Every replay id starts with this. */
    public static final String REPLAY_PREFIX = "lem-replay.";
    /** Length of every id {@link #newReplayId} generates. */
    public static final int REPLAY_ID_LENGTH = 34;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern REPLAY_ID = Pattern.compile("lem-replay\\.\\d{14}\\.[0-9a-f]{8}");
    /** Kafka's legal topic characters; the id goes into internal topic names. */
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]+");
    /** Internal topic names ({@code <appId>-...-changelog}) must stay within Kafka's 249 characters. */
    private static final int MAX_LENGTH = 150;
    private static final RandomGenerator RANDOM = new SecureRandom();

    private ApplicationIds() {
    }

    /** A fresh replay id for now: {@code lem-replay.<yyyyMMddHHmmss>.<8 hex>}. */
    public static String newReplayId() {
        return newReplayId(Clock.systemUTC(), RANDOM);
    }

    public static String newReplayId(Clock clock, RandomGenerator random) {
        String id = REPLAY_PREFIX + STAMP.format(clock.instant()) + "."
                + HexFormat.of().toHexDigits(random.nextInt());
        if (id.length() != REPLAY_ID_LENGTH) {
            throw new IllegalStateException("replay id of unexpected length: " + id);
        }
        return id;
    }

    public static boolean isReplayId(String id) {
        return id != null && REPLAY_ID.matcher(id).matches();
    }

    /** True when one id is a prefix of the other (an id conflicts with itself too: two apps cannot share one). */
    public static boolean prefixConflict(String a, String b) {
        return a.startsWith(b) || b.startsWith(a);
    }

    /** The ids among {@code others} that {@code id} is a prefix of, or that are a prefix of {@code id}. */
    public static List<String> conflicts(String id, Collection<String> others) {
        List<String> out = new ArrayList<>();
        for (String other : others) {
            if (other != null && prefixConflict(id, other)) {
                out.add(other);
            }
        }
        return out;
    }

    /** Checks an id for a live aggregator; returns it. */
    public static String validateLive(String id) {
        validateSyntax(id);
        if (REPLAY_PREFIX.startsWith(id)) {
            throw new IllegalArgumentException("application id '" + id + "' is a prefix of every replay id ("
                    + REPLAY_PREFIX + "...): resetting it would delete the internal topics of replays");
        }
        if (id.startsWith("lem-replay")) {
            throw new IllegalArgumentException("application id '" + id + "' is reserved for replays (lem-replay.*)");
        }
        return id;
    }

    /** Checks the characters and length of any aggregator application id; returns it. */
    public static String validateSyntax(String id) {
        Objects.requireNonNull(id, "application id");
        if (!LEGAL.matcher(id).matches()) {
            throw new IllegalArgumentException("application id '" + id + "' may only contain A-Z a-z 0-9 . _ -");
        }
        if (id.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("application id longer than " + MAX_LENGTH + " characters: " + id);
        }
        return id;
    }
}
