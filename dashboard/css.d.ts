/** Style sheets imported by the pages are bundled by esbuild into dashboard.css. */
declare module '*.css';
