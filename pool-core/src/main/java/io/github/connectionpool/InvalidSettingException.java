package io.github.connectionpool;

/**
 * A setting was refused: out of range, missing or malformed. Every builder of this library throws it ({@link PoolBuilder}
 * and its subclasses, {@link CleanupConfig}, {@link PoolConfig}) and so do the seed-style constructors, before anything
 * is started.
 *
 * <p>{@link #setting()} is the name of the builder method that takes the value ({@code "maxSize"},
 * {@code "acquireTimeout"}, {@code "readTimeout"}, ...); a setting inside another one is named by its path with a dot:
 * the interval of the {@link CleanupConfig} given to {@code cleanup(...)} is {@code "cleanup.interval"}. The message
 * starts with the same name and shows the value, so a log line alone says what to fix:
 *
 * <pre>{@code
 * try {
 *     pool = ConnectionPool.builder(params, creator, validator).maxSize(0).build();
 * } catch (InvalidSettingException e) {
 *     e.setting(); // "maxSize"
 *     e.value();   // 0
 *     e.getMessage(); // "maxSize must be between 1 and 100000, but was 0"
 * }
 * }</pre>
 */
public class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String setting;
    /** Not serialized: a refused value need not be serializable. */
    private final transient Object value;

    /**
     * Creates the exception.
     *
     * @param setting the setting's name, as the builder method that takes it
     * @param value the refused value, possibly {@code null}
     * @param message what is wrong, starting with the setting's name and showing the value
     */
    public InvalidSettingException(String setting, Object value, String message) {
        super(message);
        this.setting = setting;
        this.value = value;
    }

    /**
     * Creates the exception with the error that made the value invalid.
     *
     * @param setting the setting's name, as the builder method that takes it
     * @param value the refused value, possibly {@code null}
     * @param message what is wrong, starting with the setting's name and showing the value
     * @param cause why the value could not be used
     */
    public InvalidSettingException(String setting, Object value, String message, Throwable cause) {
        super(message, cause);
        this.setting = setting;
        this.value = value;
    }

    /**
     * The refused setting's name: the builder method that takes it, or a dotted path for a setting inside another
     * ({@code "cleanup.interval"}).
     *
     * @return the setting's name
     */
    public String setting() {
        return setting;
    }

    /**
     * The refused value, as it was given.
     *
     * @return the value, possibly {@code null}; {@code null} after deserialization
     */
    public Object value() {
        return value;
    }
}
