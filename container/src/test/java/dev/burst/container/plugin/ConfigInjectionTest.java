package dev.burst.container.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.config.MapConfigSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

class ConfigInjectionTest {

    private static Config config(Map<String, String> values) {
        return MapConfigSource.config(values);
    }

    private static <T> T create(Class<T> type, Map<String, String> values) throws PluginException {
        return ConfigInjection.create(type, config(values));
    }

    private static String failure(Class<?> type, Map<String, String> values) {
        return assertThrows(PluginException.class, () -> create(type, values)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        }
    }

    static final class Greeter {
        @ConfigProperty(name = "burst.plugin.greet.text")
        private String text;
    }

    @Test
    void a_configured_value_is_injected_into_a_field() throws Exception {
        assertEquals("hello", create(Greeter.class, Map.of("burst.plugin.greet.text", "hello")).text);
    }

    static final class Unnamed {
        @ConfigProperty
        String greeting;
    }

    @Test
    void a_field_without_a_name_reads_the_key_made_of_the_canonical_class_name_and_the_field_name() throws Exception {
        String key = "dev.burst.container.plugin.ConfigInjectionTest.Unnamed.greeting";
        assertEquals("hi", create(Unnamed.class, Map.of(key, "hi")).greeting);
    }

    static final class Defaulted {
        @ConfigProperty(name = "burst.plugin.d.size", defaultValue = "12")
        int size;
    }

    @Test
    void a_default_applies_when_the_key_is_absent_or_empty_and_a_value_wins_over_it() throws Exception {
        assertEquals(12, create(Defaulted.class, Map.of()).size);
        assertEquals(12, create(Defaulted.class, Map.of("burst.plugin.d.size", "")).size);
        assertEquals(7, create(Defaulted.class, Map.of("burst.plugin.d.size", "7")).size);
    }

    static final class Optionals {
        @ConfigProperty(name = "burst.plugin.o.name")
        Optional<String> name;
        @ConfigProperty(name = "burst.plugin.o.limit", defaultValue = "5")
        Optional<Integer> limit;
        @ConfigProperty(name = "burst.plugin.o.tags")
        Optional<String[]> tags;
    }

    @Test
    void an_optional_is_empty_without_a_value_present_with_one_and_present_with_a_default() throws Exception {
        Optionals none = create(Optionals.class, Map.of());
        assertEquals(Optional.empty(), none.name);
        assertEquals(Optional.of(5), none.limit);
        assertEquals(Optional.empty(), none.tags);

        Optionals set = create(Optionals.class, Map.of("burst.plugin.o.name", "x", "burst.plugin.o.limit", "9",
                "burst.plugin.o.tags", "a,b"));
        assertEquals(Optional.of("x"), set.name);
        assertEquals(Optional.of(9), set.limit);
        assertArrayEquals(new String[] {"a", "b"}, set.tags.orElseThrow());
    }

    static final class PrimitiveOptionals {
        @ConfigProperty(name = "burst.plugin.p.count")
        OptionalInt count;
        @ConfigProperty(name = "burst.plugin.p.total", defaultValue = "40000000000")
        OptionalLong total;
        @ConfigProperty(name = "burst.plugin.p.ratio")
        OptionalDouble ratio;
    }

    @Test
    void an_optional_int_long_or_double_holds_the_value_the_default_or_nothing() throws Exception {
        PrimitiveOptionals none = create(PrimitiveOptionals.class, Map.of());
        assertEquals(OptionalInt.empty(), none.count);
        assertEquals(OptionalLong.of(40_000_000_000L), none.total);
        assertEquals(OptionalDouble.empty(), none.ratio);

        PrimitiveOptionals set = create(PrimitiveOptionals.class,
                Map.of("burst.plugin.p.count", "3", "burst.plugin.p.ratio", "0.25"));
        assertEquals(OptionalInt.of(3), set.count);
        assertEquals(OptionalDouble.of(0.25), set.ratio);
    }

    static final class Multi {
        @ConfigProperty(name = "burst.plugin.c.ports")
        List<Integer> ports;
        @ConfigProperty(name = "burst.plugin.c.names", defaultValue = "b,a\\,c,b")
        Set<String> names;
        @ConfigProperty(name = "burst.plugin.c.words", defaultValue = "x,y")
        List<String> words;
        @ConfigProperty(name = "burst.plugin.c.weights", defaultValue = "1,2,3")
        int[] weights;
    }

    @Test
    void lists_sets_and_arrays_split_a_comma_list_and_a_default_the_microprofile_way() throws Exception {
        Multi fromDefaults = create(Multi.class, Map.of("burst.plugin.c.ports", "80,443"));
        assertEquals(List.of(80, 443), fromDefaults.ports);
        assertEquals(List.of("b", "a,c"), List.copyOf(fromDefaults.names));
        assertEquals(List.of("x", "y"), fromDefaults.words);
        assertArrayEquals(new int[] {1, 2, 3}, fromDefaults.weights);

        Multi configured = create(Multi.class, Map.of("burst.plugin.c.ports", "1",
                "burst.plugin.c.names", "q,q,r\\,s", "burst.plugin.c.words", "solo", "burst.plugin.c.weights", "9"));
        assertEquals(List.of(1), configured.ports);
        assertEquals(List.of("q", "r,s"), List.copyOf(configured.names));
        assertEquals(List.of("solo"), configured.words);
        assertArrayEquals(new int[] {9}, configured.weights);
    }

    enum Mode { FAST, CAREFUL }

    /** A type the config converts through its static of(String), as MicroProfile's implicit converters do. */
    public static final class Tier {
        final String name;

        private Tier(String name) {
            this.name = name;
        }

        public static Tier of(String name) {
            return new Tier(name.toUpperCase());
        }
    }

    static final class Typed {
        @ConfigProperty(name = "burst.plugin.t.timeout")
        Duration timeout;
        @ConfigProperty(name = "burst.plugin.t.mode", defaultValue = "CAREFUL")
        Mode mode;
        @ConfigProperty(name = "burst.plugin.t.tier")
        Tier tier;
        @ConfigProperty(name = "burst.plugin.t.workers")
        int workers;
        @ConfigProperty(name = "burst.plugin.t.verbose")
        boolean verbose;
        @ConfigProperty(name = "burst.plugin.t.budget")
        long budget;
    }

    @Test
    void durations_enums_classes_with_a_factory_and_primitives_convert() throws Exception {
        Typed t = create(Typed.class, Map.of("burst.plugin.t.timeout", "PT1.5S", "burst.plugin.t.tier", "gold",
                "burst.plugin.t.workers", "4", "burst.plugin.t.verbose", "true", "burst.plugin.t.budget",
                "9000000000"));
        assertEquals(Duration.ofMillis(1500), t.timeout);
        assertEquals(Mode.CAREFUL, t.mode);
        assertEquals("GOLD", t.tier.name);
        assertEquals(4, t.workers);
        assertTrue(t.verbose);
        assertEquals(9_000_000_000L, t.budget);
        assertEquals(Mode.FAST, create(Typed.class, Map.of("burst.plugin.t.timeout", "PT1S", "burst.plugin.t.mode",
                "FAST", "burst.plugin.t.tier", "x", "burst.plugin.t.workers", "1", "burst.plugin.t.verbose", "false",
                "burst.plugin.t.budget", "1")).mode);
    }

    static final class Immutable {
        final int bonus;
        final List<String> names;
        final Optional<Duration> pause;

        private Immutable(@ConfigProperty(name = "burst.plugin.i.bonus", defaultValue = "3") int bonus,
                          @ConfigProperty(name = "burst.plugin.i.names") List<String> names,
                          @ConfigProperty(name = "burst.plugin.i.pause") Optional<Duration> pause) {
            this.bonus = bonus;
            this.names = names;
            this.pause = pause;
        }

        Immutable() {
            this(-1, List.of(), Optional.empty());
        }
    }

    @Test
    void an_annotated_constructor_receives_the_values_and_sets_final_fields() throws Exception {
        Immutable i = create(Immutable.class, Map.of("burst.plugin.i.names", "a,b"));
        assertEquals(3, i.bonus);
        assertEquals(List.of("a", "b"), i.names);
        assertEquals(Optional.empty(), i.pause);
    }

    static final class Score {
        @ConfigProperty(name = "burst.plugin.score.bonus")
        int bonus;
    }

    @Test
    void a_missing_required_key_fails_naming_the_key_and_the_field() {
        assertEquals("field " + Score.class.getName() + ".bonus: required config key burst.plugin.score.bonus"
                + " has no value", failure(Score.class, Map.of()));
    }

    @Test
    void a_missing_required_constructor_value_fails_naming_the_key_and_the_parameter() {
        assertMentions(failure(Immutable.class, Map.of()), "constructor " + Immutable.class.getName()
                + "(int, java.util.List<java.lang.String>, java.util.Optional<java.time.Duration>) parameter 1",
                "required config key burst.plugin.i.names has no value");
    }

    @Test
    void a_value_that_does_not_convert_fails_naming_the_key_the_value_and_the_type() {
        assertMentions(failure(Score.class, Map.of("burst.plugin.score.bonus", "lots")),
                "field " + Score.class.getName() + ".bonus", "config key burst.plugin.score.bonus", "'lots'",
                "does not convert to int");
        assertMentions(failure(Multi.class, Map.of("burst.plugin.c.ports", "80,http")),
                "field " + Multi.class.getName() + ".ports", "config key burst.plugin.c.ports", "'80,http'",
                "java.util.List<java.lang.Integer>");
    }

    static final class BadDefault {
        @ConfigProperty(name = "burst.plugin.b.mode", defaultValue = "SLOPPY")
        Mode mode;
    }

    @Test
    void a_default_that_does_not_convert_fails_naming_the_default_and_the_type() {
        assertMentions(failure(BadDefault.class, Map.of()), "field " + BadDefault.class.getName() + ".mode",
                "default value 'SLOPPY'", Mode.class.getTypeName());
    }

    /** Its constructor would fail the test; a bad config must be reported before it runs. */
    static final class NeverBuilt {
        @ConfigProperty(name = "burst.plugin.n.key")
        String key;

        NeverBuilt() {
            throw new IllegalStateException("constructed despite a missing key");
        }
    }

    @Test
    void a_bad_config_is_reported_before_the_constructor_runs_and_a_throwing_constructor_is_reported_too() {
        assertMentions(failure(NeverBuilt.class, Map.of()), "required config key burst.plugin.n.key has no value");
        assertMentions(failure(NeverBuilt.class, Map.of("burst.plugin.n.key", "v")),
                "constructor " + NeverBuilt.class.getName() + "()", "constructed despite a missing key");
    }

    static final class FinalField {
        @ConfigProperty(name = "burst.plugin.f.x")
        final String x = "fixed";
    }

    static final class StaticField {
        @ConfigProperty(name = "burst.plugin.s.x")
        static String x;
    }

    @Test
    void final_and_static_fields_are_refused_naming_the_field() {
        assertMentions(failure(FinalField.class, Map.of("burst.plugin.f.x", "v")),
                "field " + FinalField.class.getName() + ".x", "final", "constructor parameter");
        assertMentions(failure(StaticField.class, Map.of("burst.plugin.s.x", "v")),
                "field " + StaticField.class.getName() + ".x", "static");
    }

    static final class SupplierField {
        @ConfigProperty(name = "burst.plugin.u.x")
        Supplier<String> x;
    }

    @SuppressWarnings("rawtypes")
    static final class RawList {
        @ConfigProperty(name = "burst.plugin.u.x")
        List x;
    }

    static final class WildcardList {
        @ConfigProperty(name = "burst.plugin.u.x")
        List<? extends Number> x;
    }

    static final class NestedOptional {
        @ConfigProperty(name = "burst.plugin.u.x")
        Optional<List<String>> x;
    }

    static final class ObjectField {
        @ConfigProperty(name = "burst.plugin.u.x")
        Object x;
    }

    @Test
    void an_unsupported_type_is_refused_naming_the_field_and_the_type() {
        Map<String, String> values = Map.of("burst.plugin.u.x", "1");
        assertMentions(failure(SupplierField.class, values), "field " + SupplierField.class.getName() + ".x",
                "type java.util.function.Supplier<java.lang.String> cannot be injected");
        assertMentions(failure(RawList.class, values), "field " + RawList.class.getName() + ".x",
                "type java.util.List cannot be injected");
        assertMentions(failure(WildcardList.class, values), "field " + WildcardList.class.getName() + ".x",
                "type java.util.List<? extends java.lang.Number> cannot be injected");
        assertMentions(failure(NestedOptional.class, values), "field " + NestedOptional.class.getName() + ".x",
                "type java.util.Optional<java.util.List<java.lang.String>> cannot be injected");
        assertMentions(failure(ObjectField.class, values), "field " + ObjectField.class.getName() + ".x",
                "type java.lang.Object cannot be injected");
    }

    static final class TwoConstructors {
        TwoConstructors(@ConfigProperty(name = "burst.plugin.a") String a) {
        }

        TwoConstructors(@ConfigProperty(name = "burst.plugin.b") int b) {
        }
    }

    static final class HalfAnnotated {
        HalfAnnotated(@ConfigProperty(name = "burst.plugin.a") String a, int b) {
        }
    }

    static final class NamelessParameter {
        NamelessParameter(@ConfigProperty(name = "burst.plugin.a") String a, @ConfigProperty int b) {
        }
    }

    @Test
    void constructors_that_are_ambiguous_half_annotated_or_lack_a_name_are_refused_naming_them() {
        assertMentions(failure(TwoConstructors.class, Map.of()), "class " + TwoConstructors.class.getName(),
                "more than one constructor");
        assertMentions(failure(HalfAnnotated.class, Map.of()), "class " + HalfAnnotated.class.getName(),
                "not on parameter 1");
        assertMentions(failure(NamelessParameter.class, Map.of()),
                "constructor " + NamelessParameter.class.getName() + "(java.lang.String, int) parameter 1",
                "needs a name");
    }

    abstract static class Base {
        @ConfigProperty(name = "burst.plugin.base.x")
        String x;
        @ConfigProperty
        int inherited;
    }

    static final class Derived extends Base {
        @ConfigProperty(name = "burst.plugin.derived.y")
        String y;
    }

    @Test
    void superclass_fields_are_injected_with_keys_named_after_the_class_declaring_them() throws Exception {
        Derived d = create(Derived.class, Map.of("burst.plugin.base.x", "bx", "burst.plugin.derived.y", "dy",
                "dev.burst.container.plugin.ConfigInjectionTest.Base.inherited", "8"));
        assertEquals("bx", d.x);
        assertEquals("dy", d.y);
        assertEquals(8, d.inherited);
    }

    static final class Plain {
        final String made;

        private Plain() {
            made = "by its constructor";
        }
    }

    @Test
    void a_class_without_annotations_is_just_constructed_even_through_a_private_constructor() throws Exception {
        assertEquals("by its constructor", create(Plain.class, Map.of()).made);
    }

    static final class NoUsableConstructor {
        NoUsableConstructor(String s) {
        }
    }

    @Test
    void a_class_with_neither_a_no_argument_nor_an_annotated_constructor_is_refused_naming_it() {
        assertMentions(failure(NoUsableConstructor.class, Map.of()), "class " + NoUsableConstructor.class.getName(),
                "no no-argument constructor");
        assertMentions(failure(Base.class, Map.of()), "class " + Base.class.getName(), "abstract");
    }
}
