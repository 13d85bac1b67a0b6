/** Reading the handbook's transaction dataset. */
package dev.fraudscorer.data;
