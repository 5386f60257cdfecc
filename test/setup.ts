// Shared jest set-up (setupFilesAfterEnv in jest.config.js). Nothing global is needed yet; the file exists
// so every test file runs with the same configuration.
export {};
