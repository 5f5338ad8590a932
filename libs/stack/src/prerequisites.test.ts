import { findJava, findJava21 } from './prerequisites';

describe('Java discovery', () => {
  it('finds the machine Java for Kafka and reports its major version', () => {
    const java = findJava(17);
    expect(java?.major).toBeGreaterThanOrEqual(17);
  });

  it('finds a Java 21+ for the registry, or says there is none', () => {
    const java21 = findJava21();
    if (java21) expect(java21.major).toBeGreaterThanOrEqual(21);
    else expect(findJava(21)).toBeUndefined();
  });
});
