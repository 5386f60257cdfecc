export * from './rule';
export * from './engine';
export * from './evaluate';
export * from './profiles';
export * from './registry';
export * from './settings';
export * from './artifacts';
