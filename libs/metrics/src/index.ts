export * from './scrape-listener';
