package io.github.connectionpool.spring;

/**
 * Two {@link io.github.connectionpool.ConnectionPool} beans have the same pool name, which would mix their meters and
 * health entries: start-up fails naming both beans.
 */
public class DuplicatePoolNameException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String poolName;
    private final String firstBean;
    private final String secondBean;

    /**
     * Creates the exception.
     *
     * @param poolName the name both pools have
     * @param firstBean the name of one bean
     * @param secondBean the name of the other
     */
    public DuplicatePoolNameException(String poolName, String firstBean, String secondBean) {
        super("The beans '" + firstBean + "' and '" + secondBean + "' are both connection pools named '" + poolName
                + "': pool names key the meters' pool tag and the health entries, so they must be unique");
        this.poolName = poolName;
        this.firstBean = firstBean;
        this.secondBean = secondBean;
    }

    /**
     * The name both pools have.
     *
     * @return the pool name
     */
    public String getPoolName() {
        return poolName;
    }

    /**
     * The bean registered first.
     *
     * @return its bean name
     */
    public String getFirstBean() {
        return firstBean;
    }

    /**
     * The bean registered second.
     *
     * @return its bean name
     */
    public String getSecondBean() {
        return secondBean;
    }
}
