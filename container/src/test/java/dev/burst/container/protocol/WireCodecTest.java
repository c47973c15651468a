package dev.burst.container.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.protocol.WireMessage.AdminCommand;
import dev.burst.container.protocol.WireMessage.Bind;
import dev.burst.container.protocol.WireMessage.BootFailed;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.GroupHealth;
import dev.burst.container.protocol.WireMessage.GroupSize;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.Listening;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.LongTick;
import dev.burst.container.protocol.WireMessage.LongTickDone;
import dev.burst.container.protocol.WireMessage.Operation;
import dev.burst.container.protocol.WireMessage.PluginFiles;
import dev.burst.container.protocol.WireMessage.ProxyHello;
import dev.burst.container.protocol.WireMessage.ProxyUp;
import dev.burst.container.protocol.WireMessage.Push;
import dev.burst.container.protocol.WireMessage.PushKind;
import dev.burst.container.protocol.WireMessage.Pushed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Reload;
import dev.burst.container.protocol.WireMessage.Reloaded;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Retire;
import dev.burst.container.protocol.WireMessage.Shutdown;
import dev.burst.container.protocol.WireMessage.Status;
import dev.burst.container.protocol.WireMessage.Stop;
import dev.burst.container.protocol.WireMessage.Stuck;
import dev.burst.container.protocol.WireMessage.Task;
import dev.burst.container.protocol.WireMessage.TimerCount;
import dev.burst.container.protocol.WireMessage.TimerReport;
import dev.burst.container.protocol.WireMessage.WorkerReady;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class WireCodecTest {

    private static WireMessage read(byte[] bytes) throws IOException {
        return WireCodec.read(WireCodec.input(new ByteArrayInputStream(bytes)));
    }

    private static WireMessage roundTrip(WireMessage message) throws IOException {
        return read(WireCodec.encode(message));
    }

    /** A frame with the given length field, type byte and payload (the length field is not checked). */
    private static byte[] frame(int length, int type, byte[] payload) {
        return ByteBuffer.allocate(5 + payload.length).putInt(length).put((byte) type).put(payload).array();
    }

    /** A well-formed frame around a type byte and payload. */
    private static byte[] frame(int type, byte[] payload) {
        return frame(1 + payload.length, type, payload);
    }

    /** One message of every type, with every field set to something a lost or swapped field would change. */
    static List<WireMessage> oneOfEach() {
        return List.of(
                new Hello("game", 2, 4121L, "n0nce.5ecret"),
                new ProxyHello(4100L, "proxy-secret"),
                new Load(3, List.of(new PluginFiles("hello", List.of("/run/plugins/aa.jar", "/run/plugins/bb.jar")))),
                new Ready(3, List.of(new CmdInfo(1001, "login", true), new CmdInfo(1002, "", false))),
                new LoadFailed(4, "plugin hello: no entry class"),
                new Task(9L, 1001, 77, "127.0.0.1:40000", 31L, "ann", "ann", new byte[] {1, 2, 3}),
                new Bind(31L, "ann"),
                new Push(12L, PushKind.CLOSE_AFTER, List.of("ann", "bob"), 201, new byte[] {6, 7}),
                new Pushed(12L, 3, 1, 2, List.of("cid")),
                new TimerReport(3, List.of(new TimerCount("ticking", 40L, 2L, 1L, 1_500L, 9_000L))),
                new LongTick(3, "ticking", "every 100 ms", 7_500L),
                new LongTickDone(9_020L),
                new Result(9L, Status.HANDLER_ERROR, RetCode.HANDLER_ERROR, new byte[] {4, 5}),
                new Stop(),
                new Leaked(2, "thread pool-1-thread-1 holds the old loader"),
                new ProxyUp(),
                new Listening(8080, 9900),
                new Shutdown(true),
                new WorkerReady("game", 2, 4121L, 5),
                new Recycle(4121L, "max-requests 1000 reached"),
                new Stuck(4122L, "cmd 1001 ran past task-timeout PT30S"),
                new Reload(17L),
                new Reloaded(17L, true, 6, 6, "generation 6 serving on 2 worker(s)",
                        List.of(new Detail("worker game#1 pid 4121", "swapped to generation 6"))),
                new Retire(4123L),
                new AdminCommand(5L, "change_group", "game", 4),
                new Operation(18L, "restart_workers", "admin API", "done", 1_700_000_000_000L, 1_700_000_001_500L,
                        "2 of 2 worker(s) replaced", 5L, List.of(new Detail("worker game#2", "pid 4121 -> 4130"))),
                new BootFailed("game", 2, 4131L, 1, "plugin broken: start() threw"),
                new GroupHealth("game", true, "worker game#2 failed to boot 3 times"),
                new GroupSize("game", 5));
    }

    @Test
    void every_message_type_has_a_round_trip_case_here() {
        Set<Class<?>> covered = oneOfEach().stream().map(Object::getClass).collect(Collectors.toSet());

        assertEquals(Set.of(WireMessage.class.getPermittedSubclasses()), covered);
    }

    @ParameterizedTest
    @MethodSource("oneOfEach")
    void every_message_type_reads_back_as_what_was_written(WireMessage message) throws IOException {
        WireMessage back = roundTrip(message);

        assertEquals(message.getClass(), back.getClass());
        assertArrayEquals(WireCodec.encode(message), WireCodec.encode(back));
    }

    @Test
    void a_hello_round_trips() throws IOException {
        Hello hello = new Hello("spiel-gruppe-ü", 7, 4_000_000_000L, "s");

        assertEquals(hello, roundTrip(hello));
    }

    @Test
    void a_load_with_plugins_and_their_files_round_trips() throws IOException {
        Load load = new Load(12, List.of(
                new PluginFiles("hello", List.of("/run/plugins/aa.jar")),
                new PluginFiles("game", List.of("/run/plugins/bb.jar", "/run/plugins/cc.jar")),
                new PluginFiles("empty", List.of())));

        assertEquals(load, roundTrip(load));
    }

    @Test
    void a_load_of_no_plugins_round_trips() throws IOException {
        assertEquals(new Load(1, List.of()), roundTrip(new Load(1, List.of())));
    }

    @Test
    void a_ready_with_named_unnamed_and_idempotent_cmds_round_trips() throws IOException {
        Ready ready = new Ready(3, List.of(new CmdInfo(1, "login", true), new CmdInfo(-2, "", false)));

        assertEquals(ready, roundTrip(ready));
    }

    @Test
    void a_load_failure_round_trips() throws IOException {
        LoadFailed failed = new LoadFailed(4, "plugin hello: no jar holds META-INF/services/dev.burst.api.Plugin");

        assertEquals(failed, roundTrip(failed));
    }

    @Test
    void a_task_round_trips_with_its_body() throws IOException {
        byte[] body = {0, 1, 2, (byte) 0xff, 127};
        Task task = new Task(Long.MAX_VALUE, 1001, -5, "10.0.0.1:5000", body);

        Task back = assertInstanceOf(Task.class, roundTrip(task));

        assertEquals(task.taskId(), back.taskId());
        assertEquals(task.cmd(), back.cmd());
        assertEquals(task.sn(), back.sn());
        assertEquals(task.client(), back.client());
        assertArrayEquals(body, back.body());
    }

    @ParameterizedTest
    @EnumSource(Status.class)
    void a_result_round_trips_with_every_status(Status status) throws IOException {
        byte[] body = "reply".getBytes(StandardCharsets.UTF_8);
        Result result = new Result(42L, status, RetCode.HANDLER_ERROR, body);

        Result back = assertInstanceOf(Result.class, roundTrip(result));

        assertEquals(42L, back.taskId());
        assertEquals(status, back.status());
        assertEquals(RetCode.HANDLER_ERROR, back.ret());
        assertArrayEquals(body, back.body());
    }

    @Test
    void a_result_with_an_empty_body_round_trips() throws IOException {
        Result back = assertInstanceOf(Result.class, roundTrip(new Result(1L, Status.NO_REPLY, 0, new byte[0])));

        assertArrayEquals(new byte[0], back.body());
    }

    @Test
    void the_payload_free_frames_round_trip() throws IOException {
        assertEquals(new Stop(), roundTrip(new Stop()));
        assertEquals(new ProxyUp(), roundTrip(new ProxyUp()));
    }

    @Test
    void listening_round_trips() throws IOException {
        assertEquals(new Listening(8080, 9900), roundTrip(new Listening(8080, 9900)));
    }

    @Test
    void a_graceful_and_a_fast_shutdown_round_trip() throws IOException {
        assertEquals(new Shutdown(false), roundTrip(new Shutdown(false)));
        assertEquals(new Shutdown(true), roundTrip(new Shutdown(true)));
    }

    @Test
    void the_reload_and_recycle_frames_between_master_and_proxy_round_trip() throws IOException {
        assertEquals(new Reload(3L), roundTrip(new Reload(3L)));
        Reloaded refused = new Reloaded(3L, false, 5, 4, "generation 5 refused", List.of(
                new Detail("worker game#1 pid 99", "LOAD_FAILED: plugin x: start() threw"),
                new Detail("worker game#2 pid 98", "stayed on generation 4")));
        assertEquals(refused, roundTrip(refused));
        assertEquals(new WorkerReady("chat", 1, 99L, 5), roundTrip(new WorkerReady("chat", 1, 99L, 5)));
        assertEquals(new Recycle(99L, "leaked"), roundTrip(new Recycle(99L, "leaked")));
        assertEquals(new Stuck(99L, "past task-timeout"), roundTrip(new Stuck(99L, "past task-timeout")));
        assertEquals(new Retire(99L), roundTrip(new Retire(99L)));
        assertEquals(new AdminCommand(9L, "restart_workers", "", 0), roundTrip(new AdminCommand(9L, "restart_workers", "", 0)));
        assertEquals(new Leaked(3, "detail"), roundTrip(new Leaked(3, "detail")));
    }

    @Test
    void a_running_operation_with_no_details_round_trips() throws IOException {
        Operation running = new Operation(4L, "reload_workers", "SIGHUP", "running", 1_700_000_000_000L, -1L,
                "snapshot of plugins/", 0L, List.of());

        assertEquals(running, roundTrip(running));
    }

    @Test
    void result_statuses_are_written_by_their_fixed_codes() {
        assertEquals(List.of(0, 1, 2, 3), Arrays.stream(Status.values()).map(Status::code).toList());
        byte[] frame = WireCodec.encode(new Result(1L, Status.HANDLER_ERROR, 0, new byte[0]));

        assertEquals(3, frame[4 + 1 + 8]);
    }

    @Test
    void a_hello_does_not_print_its_secret() {
        assertTrue(!new Hello("g", 1, 2L, "t0p-secret").toString().contains("t0p-secret"));
        assertTrue(!new ProxyHello(2L, "t0p-secret").toString().contains("t0p-secret"));
    }

    @Test
    void a_tasks_key_round_trips_beside_its_user() throws IOException {
        Task task = new Task(5L, 7, 1, "10.0.0.1:5000", 0L, "", "Käse-42", new byte[] {9});

        Task back = assertInstanceOf(Task.class, roundTrip(task));

        assertEquals("Käse-42", back.key());
        assertEquals("", back.user());
        assertArrayEquals(new byte[] {9}, back.body());
    }

    @Test
    void a_body_larger_than_the_initial_buffer_round_trips() throws IOException {
        byte[] body = new byte[100_000];
        Arrays.fill(body, (byte) 'x');

        Task back = assertInstanceOf(Task.class, roundTrip(new Task(1L, 2, 3, "c", body)));

        assertArrayEquals(body, back.body());
    }

    @Test
    void a_frame_is_a_big_endian_length_then_the_type_then_the_payload() {
        byte[] bytes = WireCodec.encode(new Listening(0x01020304, 5));

        assertArrayEquals(new byte[] {0, 0, 0, 9, 21, 1, 2, 3, 4, 0, 0, 0, 5}, bytes);
    }

    @Test
    void frames_written_one_after_another_are_read_back_in_order() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireCodec.write(out, new ProxyUp());
        WireCodec.write(out, new Listening(1, 2));
        WireCodec.write(out, new Shutdown(true));
        var in = WireCodec.input(new ByteArrayInputStream(out.toByteArray()));

        assertEquals(new ProxyUp(), WireCodec.read(in));
        assertEquals(new Listening(1, 2), WireCodec.read(in));
        assertEquals(new Shutdown(true), WireCodec.read(in));
        assertThrows(EOFException.class, () -> WireCodec.read(in));
    }

    @Test
    void a_string_too_long_for_its_length_field_is_refused_when_encoding() {
        String huge = "x".repeat(0x10000);

        assertThrows(IllegalArgumentException.class, () -> WireCodec.encode(new LoadFailed(1, huge)));
    }

    @Test
    void a_frame_length_of_zero_is_a_protocol_error() {
        assertThrows(ProtocolException.class, () -> read(new byte[] {0, 0, 0, 0, 7}));
    }

    @Test
    void a_negative_frame_length_is_a_protocol_error() {
        assertThrows(ProtocolException.class, () -> read(frame(-1, 7, new byte[0])));
    }

    @Test
    void a_frame_length_over_the_maximum_is_a_protocol_error_naming_the_length() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> read(frame(WireCodec.MAX_FRAME + 1, 7, new byte[0])));

        assertTrue(e.getMessage().contains(String.valueOf(WireCodec.MAX_FRAME + 1)), e.getMessage());
    }

    @Test
    void an_unknown_type_byte_is_a_protocol_error() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> read(frame(99, new byte[0])));

        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void a_frame_cut_short_by_the_end_of_the_stream_is_an_eof() {
        byte[] whole = WireCodec.encode(new Task(1L, 2, 3, "client", new byte[] {1, 2, 3}));

        assertThrows(EOFException.class, () -> read(Arrays.copyOf(whole, whole.length - 1)));
    }

    @Test
    void a_length_prefix_cut_short_is_an_eof() {
        assertThrows(EOFException.class, () -> read(new byte[] {0, 0}));
    }

    @Test
    void a_payload_shorter_than_its_type_needs_is_a_protocol_error() {
        byte[] oneInt = ByteBuffer.allocate(4).putInt(8080).array();

        assertThrows(ProtocolException.class, () -> read(frame(21, oneInt)));
    }

    @Test
    void a_plugin_count_larger_than_the_frame_is_a_protocol_error_not_an_allocation() {
        byte[] payload = ByteBuffer.allocate(8).putInt(1).putInt(Integer.MAX_VALUE).array();

        assertThrows(ProtocolException.class, () -> read(frame(2, payload)));
    }

    @Test
    void a_cmd_count_larger_than_the_frame_is_a_protocol_error() {
        byte[] payload = ByteBuffer.allocate(8).putInt(1).putInt(1_000_000).array();

        assertThrows(ProtocolException.class, () -> read(frame(3, payload)));
    }

    @Test
    void a_negative_count_is_a_protocol_error() {
        byte[] payload = ByteBuffer.allocate(8).putInt(1).putInt(-1).array();

        assertThrows(ProtocolException.class, () -> read(frame(2, payload)));
    }

    @Test
    void a_body_length_larger_than_the_frame_is_a_protocol_error_not_an_allocation() {
        byte[] payload = ByteBuffer.allocate(8 + 1 + 4 + 4)
                .putLong(1L).put((byte) Status.REPLY.code()).putInt(0).putInt(Integer.MAX_VALUE - 8).array();

        assertThrows(ProtocolException.class, () -> read(frame(6, payload)));
    }

    @Test
    void a_string_length_larger_than_the_frame_is_a_protocol_error() {
        byte[] payload = ByteBuffer.allocate(2).putShort((short) 500).array();

        assertThrows(ProtocolException.class, () -> read(frame(4, ByteBuffer.allocate(6).putInt(1)
                .put(payload).array())));
    }

    @Test
    void an_unknown_result_status_is_a_protocol_error() {
        byte[] payload = ByteBuffer.allocate(8 + 1 + 4 + 4).putLong(1L).put((byte) 9).putInt(0).putInt(0).array();

        assertThrows(ProtocolException.class, () -> read(frame(6, payload)));
    }
}
