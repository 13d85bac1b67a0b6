/** The scorer application: configuration, topology and main. Sub-packages follow the data path. */
package dev.fraudscorer.scorer;
