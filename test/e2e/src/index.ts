// The JST demo pipeline, its summary and world live in @yecai/demo (libs/demo), which `yecai run` uses.
export * from './own-stack';
export * from './wdt-world';
export * from './wdt-pipeline';
