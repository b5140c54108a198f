/**
 * Passwords of 12 or more characters that top the public breach corpora (SecLists, NCSC's
 * "100k most common"). Compared case-insensitively. A short list by design: length does most of
 * the work, this only stops the obvious ones.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789123', '1234567891011', '111111111111',
  '000000000000', '123123123123', 'qwertyuiopas', 'qwertyuiop123', 'qwerty123456', '1q2w3e4r5t6y',
  '1qaz2wsx3edc', 'zaq12wsxcde3', 'asdfghjkl123', 'zxcvbnm12345', 'password1234', 'password12345',
  'password123!', 'passwordpassword', 'iloveyou1234', 'welcome12345', 'welcome123456', 'letmein12345',
  'administrator', 'admin1234567', 'adminadmin123', 'changeme1234', 'changemenow!', 'football1234',
  'baseball1234', 'superman1234', 'princess1234', 'sunshine1234', 'trustno1trustno1', 'abcdefghijkl',
  'abcd12345678', 'abc123456789', 'aa123456789a', 'monkey123456', 'dragon123456', 'master123456',
  'shadow123456', 'michael12345', 'jennifer1234', 'starwars1234', 'whatever1234', 'computer1234',
  'internet1234', 'qwertyqwerty', 'asdfasdfasdf', 'passw0rd1234', 'p@ssw0rd1234', 'p@ssword1234',
  'correcthorsebatterystaple', 'mypassword123', 'secret123456', 'hello1234567', 'summer123456',
  'winter123456', 'spring123456', 'autumn123456', 'google123456', 'facebook1234', 'linkedin1234',
  'samsung12345', 'pokemon12345', 'liverpool123', 'chelsea12345', 'arsenal12345', 'blink182blink',
  'aaaaaaaaaaaa', 'passwordpass', 'emporium1234', 'emporium12345',
]);
